/*
 * cfnlang.h — the CloudFormation template language, a library: loading (JSON and YAML with
 * short forms) into one jansson tree, structure validation with AWS's `Template format
 * error: ...` texts, parameters, intrinsic functions and conditions, the resource dependency
 * graph and generated physical names. Used by the stack service (svc/cfn) and by
 * `recoverlab lint` (cli/lint.c). src/cfnlang/ depends on base/ and catalog/ only (Fn::GetAZs
 * reads the AZ catalogue): no store, no wire, no services; resource values come in through
 * the callbacks of struct cfn_ctx.
 *
 * Tree representation (both JSON and YAML load to it):
 *   - objects keep the template's key order (jansson insertion order);
 *   - YAML short forms become their long forms: `!Ref X` -> {"Ref":"X"}, `!Condition X` ->
 *     {"Condition":"X"}, `!Name v` -> {"Fn::Name": v}; a scalar `!GetAtt A.B` ->
 *     {"Fn::GetAtt":["A","B"]} (split on the first dot);
 *   - YAML plain scalars: `~`/`null`/empty -> null; true/false (any case of the YAML 1.2
 *     core schema) -> boolean (YAML 1.1's yes/no/on/off stay strings, inferred); a canonical
 * decimal integer -> integer; a float whose text is exactly what cfn_scalar_text renders for it
 * (`0.5`, `1.0`) -> real; every other scalar, including numbers written some other way (`1.50`,
 * `007`, `1e3`, `0x1F`) and dates (`2010-09-09`) -> string holding the original text. So every
 * number renders back (Fn::Sub, Fn::Join, coercion) exactly as written.
 *   - quoted or tagged scalars are always strings.
 *   - JSON templates keep jansson's types: a JSON real has no source text, so `1.50` in a
 *     JSON template renders as 1.5 (as a JSON string "1.50" it stays as written).
 *
 * Errors are complete AWS messages in a struct cfn_err; callers turn them into
 * ValidationError (400).
 */
#ifndef RL_CFNLANG_H
#define RL_CFNLANG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFN_ERR_MAX 8192 /* room for 500 resource names */
struct cfn_err {
    char msg[CFN_ERR_MAX];
};
/* Formats the message into e (when e is not NULL); returns -1. */
int cfn_fail(struct cfn_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Loader limits (billion-laughs and depth-bomb defence, inferred). */
#define CFN_MAX_DEPTH 64     /* nesting of objects/arrays */
#define CFN_MAX_NODES 200000 /* nodes in the loaded tree, alias copies included */
#define CFN_MAX_BODY 1048576 /* bytes of template body accepted by the loader */
/* AWS quotas (CloudFormation UG "Quotas"): resources, outputs, parameters, mappings. */
#define CFN_MAX_RESOURCES 500
#define CFN_MAX_OUTPUTS 200
#define CFN_MAX_PARAMETERS 200
#define CFN_MAX_MAPPINGS 200
/* Inline TemplateBody limit of CreateStack, ValidateTemplate ... (bytes). */
#define CFN_MAX_INLINE_BODY 51200

/* ---------------- loading (template.c) ---------------- */

/* Loads a template body: JSON when the first non-blank byte is '{' (then YAML, for flow
 * mappings, before the JSON error is reported), else YAML. Returns a new object (caller
 * json_decref) or NULL with e set. */
json_t *cfn_template_load(const char *body, size_t len, struct cfn_err *e);
json_t *cfn_json_load(const char *body, size_t len, struct cfn_err *e);
json_t *cfn_yaml_load(const char *body, size_t len, struct cfn_err *e);

/* Text of a scalar as CloudFormation uses it in strings: strings as is, integers in
 * decimal, reals in the shortest form that reads back exactly (always with a '.' or an
 * exponent: 1.0, 0.5), booleans "true"/"false". NULL for NULL, null, objects and arrays.
 * Result is heap (free()). */
char *cfn_scalar_text(const json_t *v);

/*
 * Coercion of an evaluated value to a property's schema type, as CloudFormation accepts
 * strings for numbers and booleans ("Period": "60", Threshold: '0', "true"): integers from
 * integers, integral reals and decimal strings; numbers from numbers and numeric strings;
 * booleans from true/false and the strings "true"/"false" (any case). 0 ok, -1 when v is
 * not of that type (the caller words the property error).
 */
int cfn_to_int(const json_t *v, int64_t *out);
int cfn_to_double(const json_t *v, double *out);
int cfn_to_bool(const json_t *v, bool *out);

/* ---------------- validation (validate.c) ---------------- */

/* The i-th resource type the lab implements (from 0), NULL past the last. The server's
 * CloudFormation providers serve the same types (cfn_types_test). */
const char *cfn_resource_type_at(size_t i);
/* The attributes Fn::GetAtt may read of a type (NULL-terminated), or NULL when the lab does
 * not implement the type. */
const char *const *cfn_resource_type_attrs(const char *type);
/* True when the resource type is one the lab implements. */
bool cfn_resource_type_supported(const char *type);
/* True when Fn::GetAtt may read attr of a resource of (supported) type. */
bool cfn_resource_attr_supported(const char *type, const char *attr);
/* True for IAM resource types (they need CAPABILITY_IAM). */
bool cfn_resource_type_is_iam(const char *type);
/*
 * Structure validation of a loaded template: sections, Resources, types, logical ids,
 * resource attributes, Parameters declarations, Mappings, Conditions, Outputs, unresolved
 * Ref/GetAtt/Sub/DependsOn targets and cycles. 0 ok, -1 with AWS's message in e.
 */
int cfn_template_validate(const json_t *t, struct cfn_err *e);

/* ---------------- parameters (params.c) ---------------- */

/* The families of parameter Types CloudFormation has [doc: UG "Parameters"]. */
enum cfn_ptype_family {
    CFN_PT_STRING,      /* String */
    CFN_PT_NUMBER,      /* Number */
    CFN_PT_LIST_NUMBER, /* List<Number> */
    CFN_PT_CDL,         /* CommaDelimitedList */
    CFN_PT_AWS,         /* AWS-specific: AWS::EC2::KeyPair::KeyName ..., or List<...> of one */
    CFN_PT_SSM_NAME,    /* AWS::SSM::Parameter::Name */
    CFN_PT_SSM_VALUE,   /* AWS::SSM::Parameter::Value<T> */
};
/* A parsed parameter Type. */
struct cfn_ptype {
    enum cfn_ptype_family family;
    bool list;      /* the (resolved) value is a list: List<...>, CommaDelimitedList, Value<List<..>> */
    char elem[128]; /* the AWS-specific type of CFN_PT_AWS, or of SSM_VALUE's T (else "") */
    char inner[128]; /* CFN_PT_SSM_VALUE: T as written ("List<AWS::EC2::Image::Id>") */
};
/* Parses a parameter Type: 0, or -1 when CloudFormation has no such type. */
int cfn_param_type_parse(const char *type, struct cfn_ptype *out);
/* True for a parameter Type CloudFormation has (String, Number, List<Number>,
 * CommaDelimitedList, the AWS-specific types and their List<...>, the SSM parameter types). */
bool cfn_param_type_known(const char *type);
/* Validates the Parameters section's declarations (types, constraint keys, Default against
 * the constraints). 0 or -1 with e. */
int cfn_params_check_decls(const json_t *t, struct cfn_err *e);
/*
 * Resolves parameter values for a stack operation. given: object name -> string (the
 * caller's ParameterValue), may be NULL; previous: the stack's previous values (object
 * name -> string) for UsePreviousValue, may be NULL; use_previous: array of names whose
 * previous value is kept, may be NULL. *values: new object name -> string (String, Number,
 * AWS-specific single types) or array of strings (List<...>, CommaDelimitedList).
 * *raw (optional): name -> the string value as given/defaulted (for DescribeStacks).
 */
int cfn_params_resolve(const json_t *t, const json_t *given, const json_t *previous,
                       const json_t *use_previous, json_t **values, json_t **raw,
                       struct cfn_err *e);
/*
 * What only the caller can know about a parameter value: whether an AWS-specific value names
 * something that exists (AWS::EC2::KeyPair::KeyName ...) and what an SSM parameter type's
 * value is. resolve is called for every parameter once its value passed the declared
 * constraints: name, its declared type and the parsed one, value (a string, or an array of
 * strings for list types; for CFN_PT_SSM_VALUE the SSM parameter's name as a string). It may
 * set *out (new reference) to replace the value (an SSM parameter's value: a string, or an
 * array of strings when pt->list). 0 ok, -1 with AWS's message in e.
 */
struct cfn_param_resolver {
    void *ud;
    int (*resolve)(void *ud, const char *name, const char *type, const struct cfn_ptype *pt,
                   const json_t *value, json_t **out, struct cfn_err *e);
};
/* cfn_params_resolve with a resolver (may be NULL: values kept as given). */
int cfn_params_resolve_with(const json_t *t, const json_t *given, const json_t *previous,
                            const json_t *use_previous, const struct cfn_param_resolver *res,
                            json_t **values, json_t **raw, struct cfn_err *e);

/* ---------------- intrinsics and conditions (intrinsics.c) ---------------- */

struct cfn_ctx {
    const char *region;  /* "us-east-1" */
    const char *account; /* "123456789012" */
    const char *stack_name;
    const char *stack_id;            /* arn:aws:cloudformation:REGION:ACCT:stack/NAME/UUID */
    const json_t *notification_arns; /* array of strings, may be NULL */
    const json_t *tmpl;              /* the loaded template (Mappings, Conditions, Resources) */
    const json_t *params;            /* resolved parameter values (cfn_params_resolve) */
    json_t *conditions;              /* name -> true/false; cfn_conditions_eval fills it */
    void *ud;
    /* Ref to a resource: its physical id (new reference in *out). -1 with e on failure. */
    int (*ref)(void *ud, const char *logical, json_t **out, struct cfn_err *e);
    /* Fn::GetAtt. */
    int (*getatt)(void *ud, const char *logical, const char *attr, json_t **out, struct cfn_err *e);
    /* Fn::ImportValue: the exported value. */
    int (*import_value)(void *ud, const char *name, json_t **out, struct cfn_err *e);
    /* Fn::GetAZs (optional): the AZ names of region; the EC2 catalogue when NULL. */
    int (*get_azs)(void *ud, const char *region, json_t **out, struct cfn_err *e);
};

/* Partition and URL suffix of a region: aws / amazonaws.com, aws-cn / amazonaws.com.cn,
 * aws-us-gov / amazonaws.com. */
const char *cfn_partition(const char *region);
const char *cfn_url_suffix(const char *region);

/*
 * Evaluates every intrinsic function in v. *out is a new reference, or NULL when the
 * value is AWS::NoValue (callers drop the property). Object members and array elements
 * that evaluate to AWS::NoValue are removed. 0 ok, -1 with AWS's message in e.
 */
int cfn_eval(struct cfn_ctx *x, const json_t *v, json_t **out, struct cfn_err *e);
/* Evaluates the Conditions section into x->conditions (created when NULL). */
int cfn_conditions_eval(struct cfn_ctx *x, struct cfn_err *e);
/* The value of condition name (after cfn_conditions_eval). -1 with e when undefined. */
int cfn_condition_get(struct cfn_ctx *x, const char *name, bool *out, struct cfn_err *e);
/* True when resource/output definition def has no Condition or its condition is true. */
int cfn_def_enabled(struct cfn_ctx *x, const json_t *def, bool *out, struct cfn_err *e);

/* ---------------- dynamic references (dynref.c) ---------------- */

/* The value of one `{{resolve:service:key}}`: *val a heap string (free()). 0, or -1 with
 * AWS's message in e. */
typedef int cfn_dynref_fn(void *ud, const char *service, const char *key, char **val,
                          struct cfn_err *e);
/* True when a string of v holds a dynamic reference. */
bool cfn_has_dynref(const json_t *v);
/* A copy of v (new reference in *out) with every `{{resolve:...}}` in its strings replaced by
 * what cb answers. 0, or -1 with e. */
int cfn_dynrefs_expand(const json_t *v, cfn_dynref_fn *cb, void *ud, json_t **out,
                       struct cfn_err *e);

/* ---------------- dependency graph (graph.c) ---------------- */

/*
 * The direct dependencies of every resource: object logical id -> array of logical ids
 * (template order, unique), from DependsOn and the Ref / Fn::GetAtt / Fn::Sub references
 * in Properties, Metadata, UpdatePolicy, CreationPolicy. Unknown targets fail with
 * `Unresolved resource dependencies [...]`.
 */
int cfn_graph_deps(const json_t *t, json_t **deps, struct cfn_err *e);
/* Creation order (array of logical ids; dependencies first, else template order), or the
 * `Circular dependency between resources: [...]` error. */
int cfn_graph_order(const json_t *t, json_t **order, struct cfn_err *e);
/* Deletion order: the creation order reversed. */
int cfn_graph_delete_order(const json_t *t, json_t **order, struct cfn_err *e);
/* Collects into refs (object name -> true) every name v references through Ref, the
 * resource of Fn::GetAtt and the ${} variables of Fn::Sub that are not Sub's own vars. */
void cfn_collect_refs(const json_t *v, json_t *refs);

/* ---------------- source lines (lines.c) ---------------- */

/*
 * Where the resources of a loaded template are written in its body: a new object logical id
 * -> {".": line of the resource's key, PROPERTY: line of the property's key} (1-based; ids
 * and properties not found are absent). resources is the loaded template's Resources
 * object (used by the text scan when libyaml cannot read the body).
 */
json_t *cfn_template_lines(const char *body, size_t len, const json_t *resources);

/* ---------------- generated names (names.c) ---------------- */

/*
 * A generated physical name `<stack>-<logical>-<SUFFIX>`, SUFFIX 12 or 13 characters of
 * [A-Z0-9] (a random 64-bit number in upper-case base 36, zero-padded to 12), fitting in
 * max_len characters: when too long the stack name and logical id are truncated (see
 * names.c). Heap result (free()).
 */
char *cfn_physical_name(const char *stack, const char *logical, size_t max_len);
/* The same with a given suffix (tests, deterministic callers). */
char *cfn_physical_name_with(const char *stack, const char *logical, const char *suffix,
                             size_t max_len);

/* "[a, b]" of an array of strings or of an object's keys, as AWS's messages list names
 * (heap; free()). */
char *cfn_bracket_list(const json_t *v);
/* Appends s to the string array arr unless it is there already (first-seen order). */
void cfn_list_add_unique(json_t *arr, const char *s);

#endif
