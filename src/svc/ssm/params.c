/*
 * params.c — SSM Parameter Store: PutParameter, GetParameter, GetParameters,
 * GetParametersByPath, DeleteParameter(s), DescribeParameters, and AWS's public parameters
 * (/aws/service/...) that templates use to find the latest images.
 *
 * Parameters are per region and versioned (every PutParameter with Overwrite adds a version;
 * "name:N" selects one [doc: "Working with parameter versions"]). SecureString values are
 * encrypted with AES-256-GCM under the lab's key (ssm_keys, made on first use): the KeyId
 * is recorded (default alias/aws/ssm [doc]) but KMS is not simulated (inferred). Without
 * WithDecryption a SecureString's Value is its ciphertext (base64), as on AWS.
 *
 * Public parameters are computed, not stored: each name of public_names[] resolves, per
 * region, to an image id derived from the name and region, which the lab's DescribeImages
 * answers for (any well-formed ami- id names an image there). Their ARN has no account.
 */
#include <openssl/evp.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/ssm/ops.h"
#include "svc/ssm/ssm.h"
#include "wire/models/ssm_members.h"
#include "wire/wire.h"

#define SSM_STANDARD_MAX 4096 /* value bytes, Standard tier [doc] */
#define SSM_ADVANCED_MAX 8192 /* Advanced tier [doc] */
#define SSM_PUBLIC_MS 1767225600000LL /* LastModifiedDate of the public parameters (inferred) */

/* ---------------------------------------------------------------- public parameters */

static const char *const public_names[] = {
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-arm64",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-ebs",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-arm64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-ebs",
    "/aws/service/canonical/ubuntu/server/20.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
    "/aws/service/canonical/ubuntu/server/20.04/stable/current/arm64/hvm/ebs-gp2/ami-id",
    "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
    "/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/ebs-gp2/ami-id",
    "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
    "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
    "/aws/service/debian/release/11/latest/amd64",
    "/aws/service/debian/release/12/latest/amd64",
    "/aws/service/debian/release/12/latest/arm64",
    "/aws/service/debian/release/bookworm/latest/amd64",
    "/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base",
    "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base",
    "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id",
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "/aws/service/bottlerocket/aws-k8s-1.29/x86_64/latest/image_id",
    NULL,
};

static bool is_public(const char *name)
{
    for (size_t i = 0; public_names[i]; i++)
        if (str_eq(public_names[i], name))
            return true;
    return false;
}

/* A parameter as GetParameter shows it (plus our "_*" members). */
static json_t *public_param(struct call *c, const char *name)
{
    unsigned char d[32];
    char *seed = arena_printf(c->a, "%s|%s", c->region, name);
    EVP_Digest(seed, strlen(seed), d, NULL, EVP_sha256(), NULL);
    char id[32] = "ami-";
    for (int i = 0; i < 9; i++)
        snprintf(id + 4 + 2 * i, 3, "%02x", d[i]);
    id[21] = 0; /* ami- + 17 hex */
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "Name", name, "Type",
                     "String", "Value", id, "Version", (json_int_t)1, "LastModifiedDate",
                     (json_int_t)SSM_PUBLIC_MS, "ARN",
                     arena_printf(c->a, "arn:aws:ssm:%s::parameter%s", c->region, name),
                     "DataType", "text", "_tier", "Standard", "_user",
                     "arn:aws:iam::aws:root" /* inferred */);
}

/* ---------------------------------------------------------------- the lab key */

static int lab_key(struct call *c, unsigned char key[32])
{
    sqlite3_stmt *s = store_stmt(c->st, "SELECT key FROM ssm_keys WHERE id = 1");
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32) {
        memcpy(key, sqlite3_column_blob(s, 0), 32);
        sqlite3_reset(s);
        return 0;
    }
    sqlite3_reset(s);
    rand_bytes(key, 32);
    s = store_stmt(c->st, "INSERT OR REPLACE INTO ssm_keys(id, key) VALUES(1, ?1)");
    sqlite3_bind_blob(s, 1, key, 32, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : call_internal(c);
}

/* AES-256-GCM: base64(iv | tag | ciphertext), arena. */
static char *seal(struct call *c, const char *plain)
{
    unsigned char key[32], iv[12], tag[16];
    if (lab_key(c, key))
        return NULL;
    rand_bytes(iv, sizeof(iv));
    size_t n = strlen(plain);
    unsigned char *buf = arena_alloc(c->a, n + 28 + 16);
    int len = 0, fin = 0;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    bool ok = x && EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, key, iv) &&
              EVP_EncryptUpdate(x, buf + 28, &len, (const unsigned char *)plain, (int)n) &&
              EVP_EncryptFinal_ex(x, buf + 28 + len, &fin) &&
              EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(x);
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok) {
        call_internal(c);
        return NULL;
    }
    memcpy(buf, iv, 12);
    memcpy(buf + 12, tag, 16);
    size_t total = 28 + (size_t)len + (size_t)fin;
    char *out = arena_alloc(c->a, 4 * ((total + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, buf, (int)total);
    return out;
}

static char *unseal(struct call *c, const char *b64)
{
    unsigned char key[32];
    size_t bl = strlen(b64);
    unsigned char *raw = arena_alloc(c->a, bl + 1);
    int rl = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)bl);
    while (bl && b64[bl - 1] == '=')
        bl--, rl--;
    if (rl < 28 || lab_key(c, key))
        return NULL;
    char *out = arena_alloc(c->a, (size_t)rl);
    int len = 0, fin = 0;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    bool ok = x && EVP_DecryptInit_ex(x, EVP_aes_256_gcm(), NULL, key, raw) &&
              EVP_DecryptUpdate(x, (unsigned char *)out, &len, raw + 28, rl - 28) &&
              EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, 16, raw + 12) &&
              EVP_DecryptFinal_ex(x, (unsigned char *)out + len, &fin) > 0;
    EVP_CIPHER_CTX_free(x);
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok)
        return NULL;
    out[len + fin] = 0;
    return out;
}

/* ---------------------------------------------------------------- names and rows */

static const char *param_arn(struct call *c, const char *name)
{
    return arena_printf(c->a, "arn:aws:ssm:%s:%s:parameter%s%s", c->region, c->account,
                        name[0] == '/' ? "" : "/", name);
}

/* A name as given (or an ARN of this account and region) to the plain name. */
static const char *plain_name(struct call *c, const char *n)
{
    const char *pre = arena_printf(c->a, "arn:aws:ssm:%s:%s:parameter", c->region, c->account);
    const char *pub = arena_printf(c->a, "arn:aws:ssm:%s::parameter", c->region);
    if (str_startswith(n, pre)) {
        n += strlen(pre);
        return str_startswith(n, "/aws/") || strchr(n + 1, '/') ? n : n + 1;
    }
    if (str_startswith(n, pub))
        return n + strlen(pub);
    return n;
}

static const char NAME_MSG[] =
    "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as "
    "a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed "
    "as a mix of letters, numbers and the following 3 symbols .-_"; /* [obs] */

static int name_check(struct call *c, const char *name)
{
    size_t n = strlen(name);
    const char *leaf = name[0] == '/' ? name + 1 : name;
    bool ok = n >= 1 && n <= 2048 && *leaf && strncasecmp(leaf, "aws", 3) != 0 &&
              strncasecmp(leaf, "ssm", 3) != 0;
    int depth = 0;
    for (const char *p = name; ok && *p; p++) {
        if (*p == '/') {
            depth++;
            ok = p[1] && p[1] != '/';
        } else {
            ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 *p == '.' || *p == '-' || *p == '_';
        }
    }
    if (ok && name[0] != '/' && depth > 0)
        return call_fail(c, 400, "ValidationException",
                         "Parameter name must be a fully qualified name."); /* [obs] */
    if (ok && depth > 15)
        return call_fail(c, 400, "HierarchyLevelLimitExceededException",
                         "A hierarchy can have a maximum of 15 levels. For more information, "
                         "see Requirements and constraints for parameter names in the AWS "
                         "Systems Manager User Guide."); /* [obs] */
    return ok ? 0 : call_fail(c, 400, "ValidationException", "%s", NAME_MSG);
}

#define PCOLS                                                                                      \
    "name, version, type, value, key_id, description, allowed_pattern, data_type, tier,"          \
    " modified_ms, modified_user"

static json_t *row_param(struct call *c, sqlite3_stmt *s)
{
    const char *name = (const char *)sqlite3_column_text(s, 0);
    json_t *p = json_pack(
        "{s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "Name", name, "Version",
        (json_int_t)sqlite3_column_int64(s, 1), "Type", (const char *)sqlite3_column_text(s, 2),
        "Value", (const char *)sqlite3_column_text(s, 3), "DataType",
        (const char *)sqlite3_column_text(s, 7), "_tier", (const char *)sqlite3_column_text(s, 8),
        "LastModifiedDate", (json_int_t)sqlite3_column_int64(s, 9), "_user",
        (const char *)sqlite3_column_text(s, 10), "ARN", param_arn(c, name));
    if (sqlite3_column_type(s, 4) != SQLITE_NULL)
        json_object_set_new(p, "_key", json_string((const char *)sqlite3_column_text(s, 4)));
    if (sqlite3_column_type(s, 5) != SQLITE_NULL)
        json_object_set_new(p, "_desc", json_string((const char *)sqlite3_column_text(s, 5)));
    if (sqlite3_column_type(s, 6) != SQLITE_NULL)
        json_object_set_new(p, "_pattern", json_string((const char *)sqlite3_column_text(s, 6)));
    return p;
}

/* The parameter (latest version, or version > 0): new reference or NULL. */
static json_t *param_get(struct call *c, const char *name, int64_t version)
{
    if (is_public(name))
        return version <= 1 ? public_param(c, name) : NULL;
    sqlite3_stmt *s = store_stmt(c->st, "SELECT " PCOLS " FROM ssm_parameters WHERE region = ?1"
                                        " AND name = ?2 AND (?3 = 0 OR version = ?3)"
                                        " ORDER BY version DESC LIMIT 1");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, version);
    json_t *p = sqlite3_step(s) == SQLITE_ROW ? row_param(c, s) : NULL;
    sqlite3_reset(s);
    return p;
}

/* Every current parameter of the region, sorted by name, plus the public ones. */
static json_t *param_all(struct call *c, bool with_public)
{
    sqlite3_stmt *s = store_stmt(
        c->st, "SELECT " PCOLS " FROM ssm_parameters AS p WHERE region = ?1 AND version ="
               " (SELECT max(version) FROM ssm_parameters WHERE region = p.region AND"
               " name = p.name) ORDER BY name");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    json_t *all = json_array();
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(all, row_param(c, s));
    sqlite3_reset(s);
    for (size_t i = 0; with_public && public_names[i]; i++)
        json_array_append_new(all, public_param(c, public_names[i]));
    return all;
}

/* Writes a Parameter; decrypts SecureString values when asked. */
static int out_param(struct call *c, struct out *o, const json_t *p, bool decrypt,
                     const char *selector)
{
    const char *type = json_string_value(json_object_get(p, "Type"));
    const char *value = json_string_value(json_object_get(p, "Value"));
    if (str_eq(type, "SecureString") && decrypt) {
        value = unseal(c, value);
        if (!value)
            return call_fail(c, 500, "InternalServerError", "Decryption failed"); /* inferred */
    }
    out_str(o, "Name", json_string_value(json_object_get(p, "Name")));
    out_str(o, "Type", type);
    out_str(o, "Value", value);
    out_int(o, "Version", json_integer_value(json_object_get(p, "Version")));
    if (selector)
        out_str(o, "Selector", selector);
    out_time(o, "LastModifiedDate", json_integer_value(json_object_get(p, "LastModifiedDate")));
    out_str(o, "ARN", json_string_value(json_object_get(p, "ARN")));
    out_str(o, "DataType", json_string_value(json_object_get(p, "DataType")));
    return 0;
}

/* name[:version] -> the parameter; fails with AWS's errors. *sel: ":N" or NULL. */
static json_t *param_lookup(struct call *c, const char *ref, const char **sel, bool quiet)
{
    const char *name = plain_name(c, ref);
    int64_t version = 0;
    *sel = NULL;
    const char *colon = strrchr(name, ':');
    if (colon) {
        *sel = arena_strdup(c->a, colon);
        name = arena_strndup(c->a, name, (size_t)(colon - name));
        if (str_to_i64(colon + 1, &version) || version < 1) {
            if (!quiet)
                call_fail(c, 400, "ParameterVersionLabelNotFound",
                          "Systems Manager could not find label %s of %s.", colon + 1,
                          name); /* inferred: labels are not simulated */
            return NULL;
        }
    }
    json_t *p = param_get(c, name, version);
    if (!p && !quiet) {
        if (version && param_get(c, name, 0)) {
            json_decref(param_get(c, name, 0));
            call_fail(c, 400, "ParameterVersionNotFound",
                      "Systems Manager could not find version %lld of %s. Verify the version and "
                      "try again.",
                      (long long)version, name); /* [obs] */
        } else {
            call_fail(c, 400, "ParameterNotFound", NULL); /* [obs]: no message */
        }
    }
    return p;
}

/* ---------------------------------------------------------------- resource functions */

const char *ssm_res_parameter(struct call *c, const json_t *in)
{
    const char *n = json_string_value(json_object_get(in, SSM_IN_Name));
    if (!n)
        return "*";
    n = plain_name(c, n);
    if (str_startswith(n, "/aws/service/"))
        return arena_printf(c->a, "arn:aws:ssm:%s::parameter%s", c->region, n);
    return param_arn(c, n);
}

const char *ssm_res_parameters(struct call *c, const json_t *in)
{
    const char *n = json_string_value(json_array_get(json_object_get(in, SSM_IN_Names), 0));
    return n ? param_arn(c, plain_name(c, n)) : "*";
}

const char *ssm_res_path(struct call *c, const json_t *in)
{
    const char *n = json_string_value(json_object_get(in, SSM_IN_Path));
    return n ? param_arn(c, n) : "*";
}

/* ---------------------------------------------------------------- operations */

/* AllowedPattern: a Java-style regular expression over the whole value, matched with PCRE2
 * (inferred: a pattern PCRE2 cannot compile is not enforced). */
static bool pattern_ok(const char *pattern, const char *value)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF, &err, &off,
                                   NULL);
    if (!re)
        return true;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int r = pcre2_match(re, (PCRE2_SPTR)value, strlen(value), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return r >= 0;
}

/*
 * PutParameter: Type (String | StringList | SecureString) on create, Overwrite for a new
 * version, AllowedPattern, Tier, DataType (text | aws:ec2:image), Description, KeyId.
 */
int ssm_put_parameter(struct call *c, const json_t *in, struct out *o)
{
    const char *name = json_string_value(json_object_get(in, SSM_IN_Name));
    const char *value = json_string_value(json_object_get(in, SSM_IN_Value));
    const char *type = json_string_value(json_object_get(in, SSM_IN_Type));
    const char *desc = json_string_value(json_object_get(in, SSM_IN_Description));
    const char *key = json_string_value(json_object_get(in, SSM_IN_KeyId));
    const char *pattern = json_string_value(json_object_get(in, SSM_IN_AllowedPattern));
    const char *tier = json_string_value(json_object_get(in, SSM_IN_Tier));
    const char *dtype = json_string_value(json_object_get(in, SSM_IN_DataType));
    bool overwrite = json_is_true(json_object_get(in, SSM_IN_Overwrite));
    name = plain_name(c, name);
    if (name_check(c, name))
        return -1;
    json_t *cur = param_get(c, name, 0);
    int rc = -1;
    if (cur && !overwrite) {
        call_fail(c, 400, "ParameterAlreadyExists",
                  "The parameter already exists. To overwrite this value, set the overwrite "
                  "option in the request to true."); /* [obs] */
        goto out;
    }
    if (cur && json_array_size(json_object_get(in, SSM_IN_Tags))) {
        call_fail(c, 400, "ValidationException",
                  "Invalid request: tags and overwrite can't be used together. To create a "
                  "parameter with tags, please remove overwrite flag. To update tags for an "
                  "existing parameter, please use AddTagsToResource or "
                  "RemoveTagsFromResource."); /* [obs] */
        goto out;
    }
    if (!type)
        type = cur ? json_string_value(json_object_get(cur, "Type")) : NULL;
    if (!type) {
        call_fail(c, 400, "ValidationException",
                  "A parameter type is required when you create a parameter."); /* [obs] */
        goto out;
    }
    if (key && !str_eq(type, "SecureString")) {
        call_fail(c, 400, "ValidationException",
                  "KeyId is required for SecureString type parameter only."); /* [obs] */
        goto out;
    }
    if (!tier)
        tier = cur ? json_string_value(json_object_get(cur, "_tier")) : "Standard";
    if (str_eq(tier, "Intelligent-Tiering"))
        tier = strlen(value) > SSM_STANDARD_MAX ? "Advanced" : "Standard";
    size_t max = str_eq(tier, "Advanced") ? SSM_ADVANCED_MAX : SSM_STANDARD_MAX;
    if (strlen(value) > max) {
        call_fail(c, 400, "ValidationException",
                  "Standard tier parameters support a maximum parameter value of 4096 "
                  "characters. To create a larger parameter value, upgrade the parameter to use "
                  "the advanced-parameter tier. For more information, see "
                  "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
                  "parameter-store-advanced-parameters.html"); /* [obs] */
        goto out;
    }
    if (!dtype)
        dtype = "text";
    if (!str_eq(dtype, "text") && !str_eq(dtype, "aws:ec2:image") &&
        !str_eq(dtype, "aws:ssm:integration")) {
        call_fail(c, 400, "ValidationException",
                  "The following data type is not supported: %s (Data type names are all "
                  "lowercase.)",
                  dtype); /* [obs] */
        goto out;
    }
    if (str_eq(dtype, "aws:ec2:image") &&
        !(str_startswith(value, "ami-") && strspn(value + 4, "0123456789abcdef") ==
                                               strlen(value + 4) &&
          (strlen(value) == 12 || strlen(value) == 21))) {
        call_fail(c, 400, "ValidationException",
                  "Parameter value %s is not in the format ami-xxxxxxxxxxxxxxxxx.",
                  value); /* inferred */
        goto out;
    }
    if (!pattern && cur)
        pattern = json_string_value(json_object_get(cur, "_pattern"));
    if (pattern && !pattern_ok(pattern, value)) {
        call_fail(c, 400, "ParameterPatternMismatchException",
                  "Parameter value, cannot be validated against allowedPattern: %s",
                  pattern); /* [obs] */
        goto out;
    }
    const char *stored = value;
    if (str_eq(type, "SecureString")) {
        if (!key)
            key = "alias/aws/ssm"; /* [doc] */
        if (!(stored = seal(c, value)))
            goto out;
    } else {
        key = NULL;
    }
    if (!desc && cur)
        desc = json_string_value(json_object_get(cur, "_desc"));
    int64_t version = cur ? json_integer_value(json_object_get(cur, "Version")) + 1 : 1;
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO ssm_parameters(region, " PCOLS ")"
                                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, version);
    sqlite3_bind_text(s, 4, type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, stored, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(s, 6, key);
    store_bind_text_or_null(s, 7, desc);
    store_bind_text_or_null(s, 8, pattern);
    sqlite3_bind_text(s, 9, dtype, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 10, tier, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 11, c->now_ms);
    sqlite3_bind_text(s, 12, c->who.arn, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(s);
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        call_internal(c);
        goto out;
    }
    out_int(o, "Version", version);
    out_str(o, "Tier", tier);
    rc = 0;
out:
    json_decref(cur);
    return rc;
}

int ssm_get_parameter(struct call *c, const json_t *in, struct out *o)
{
    const char *sel;
    json_t *p = param_lookup(c, json_string_value(json_object_get(in, SSM_IN_Name)), &sel, false);
    if (!p)
        return -1;
    out_begin(o, "Parameter");
    int rc = out_param(c, o, p, json_is_true(json_object_get(in, SSM_IN_WithDecryption)), sel);
    out_end(o);
    json_decref(p);
    return rc;
}

/* GetParameters: up to 10 names; the unknown ones in InvalidParameters. */
int ssm_get_parameters(struct call *c, const json_t *in, struct out *o)
{
    const json_t *names = json_object_get(in, SSM_IN_Names);
    bool dec = json_is_true(json_object_get(in, SSM_IN_WithDecryption));
    json_t *bad = json_array();
    size_t i;
    const json_t *e;
    out_begin(o, "Parameters");
    json_array_foreach(names, i, e)
    {
        const char *sel;
        json_t *p = param_lookup(c, json_string_value(e), &sel, true);
        if (!p) {
            json_array_append(bad, (json_t *)e);
            continue;
        }
        out_begin(o, NULL);
        int rc = out_param(c, o, p, dec, sel);
        out_end(o);
        json_decref(p);
        if (rc) {
            json_decref(bad);
            return -1;
        }
    }
    out_end(o);
    out_json(o, "InvalidParameters", bad);
    json_decref(bad);
    return 0;
}

/* Paging: the name to resume after, as an opaque token. */
static const char *token_of(struct call *c, const char *name)
{
    char *out = arena_alloc(c->a, 4 * ((strlen(name) + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)name, (int)strlen(name));
    return out;
}

static int token_read(struct call *c, const json_t *in, const char **after)
{
    const char *t = json_string_value(json_object_get(in, SSM_IN_NextToken));
    *after = NULL;
    if (!t)
        return 0;
    size_t n = strlen(t);
    unsigned char *raw = arena_alloc(c->a, n + 1);
    int rl = EVP_DecodeBlock(raw, (const unsigned char *)t, (int)n);
    while (n && t[n - 1] == '=')
        n--, rl--;
    if (rl <= 0)
        return call_fail(c, 400, "ValidationException", "The nextToken is not valid."); /* inferred */
    raw[rl] = 0;
    *after = (const char *)raw;
    return 0;
}

/* GetParametersByPath: Path (must start with /), Recursive, MaxResults 1..10. */
int ssm_get_parameters_by_path(struct call *c, const json_t *in, struct out *o)
{
    const char *path = json_string_value(json_object_get(in, SSM_IN_Path));
    bool rec = json_is_true(json_object_get(in, SSM_IN_Recursive));
    bool dec = json_is_true(json_object_get(in, SSM_IN_WithDecryption));
    int64_t max = 10;
    const char *after;
    if (json_object_get(in, SSM_IN_MaxResults))
        max = json_integer_value(json_object_get(in, SSM_IN_MaxResults));
    if (!path || path[0] != '/')
        return call_fail(c, 400, "ValidationException",
                         "The parameter doesn't meet the parameter name requirements. The "
                         "parameter name must begin with a forward slash \"/\". It can't be "
                         "prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only "
                         "letters, numbers, or the following symbols: . (period), - (hyphen), _ "
                         "(underscore). Special characters are not allowed. All sub-paths, if "
                         "specified, must use the forward slash symbol \"/\". Valid example: "
                         "/get/parameters2-/by1./path0_."); /* [obs] */
    if (token_read(c, in, &after))
        return -1;
    const char *pre = str_eq(path, "/") ? "/" : arena_printf(c->a, "%s/", path);
    if (str_endswith(path, "/") && strlen(path) > 1)
        pre = path;
    json_t *all = param_all(c, str_startswith(pre, "/aws/"));
    out_begin(o, "Parameters");
    int64_t n = 0;
    const char *last = NULL;
    bool more = false;
    size_t i;
    json_t *p;
    json_array_foreach(all, i, p)
    {
        const char *name = json_string_value(json_object_get(p, "Name"));
        if (!str_startswith(name, pre) || (!rec && strchr(name + strlen(pre), '/')))
            continue;
        if (after && strcmp(name, after) <= 0)
            continue;
        if (n == max) {
            more = true;
            break;
        }
        out_begin(o, NULL);
        int rc = out_param(c, o, p, dec, NULL);
        out_end(o);
        if (rc) {
            json_decref(all);
            return -1;
        }
        last = arena_strdup(c->a, name);
        n++;
    }
    out_end(o);
    json_decref(all);
    if (more && last)
        out_str(o, "NextToken", token_of(c, last));
    return 0;
}

static int delete_all_versions(struct call *c, const char *name)
{
    sqlite3_stmt *s =
        store_stmt(c->st, "DELETE FROM ssm_parameters WHERE region = ?1 AND name = ?2");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : call_internal(c);
}

int ssm_delete_parameter(struct call *c, const json_t *in, struct out *o)
{
    (void)o;
    const char *name = plain_name(c, json_string_value(json_object_get(in, SSM_IN_Name)));
    json_t *p = is_public(name) ? NULL : param_get(c, name, 0);
    if (!p)
        return call_fail(c, 400, "ParameterNotFound", NULL); /* [obs] */
    json_decref(p);
    return delete_all_versions(c, name);
}

int ssm_delete_parameters(struct call *c, const json_t *in, struct out *o)
{
    json_t *done = json_array(), *bad = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(in, SSM_IN_Names), i, e)
    {
        const char *name = plain_name(c, json_string_value(e));
        json_t *p = is_public(name) ? NULL : param_get(c, name, 0);
        if (!p) {
            json_array_append(bad, (json_t *)e);
            continue;
        }
        json_decref(p);
        if (delete_all_versions(c, name)) {
            json_decref(done);
            json_decref(bad);
            return -1;
        }
        json_array_append(done, (json_t *)e);
    }
    out_json(o, "DeletedParameters", done);
    out_json(o, "InvalidParameters", bad);
    json_decref(done);
    json_decref(bad);
    return 0;
}

/* One ParameterStringFilter (or legacy ParametersFilter: Option Equals) on a parameter. */
static bool filter_ok(const json_t *p, const char *key, const char *option, const json_t *values)
{
    const char *name = json_string_value(json_object_get(p, "Name"));
    const char *v = NULL;
    if (str_eq(key, "Name"))
        v = name;
    else if (str_eq(key, "Type"))
        v = json_string_value(json_object_get(p, "Type"));
    else if (str_eq(key, "KeyId"))
        v = json_string_value(json_object_get(p, "_key"));
    else if (str_eq(key, "DataType"))
        v = json_string_value(json_object_get(p, "DataType"));
    else if (str_eq(key, "Tier"))
        v = json_string_value(json_object_get(p, "_tier"));
    size_t i;
    const json_t *e;
    json_array_foreach(values, i, e)
    {
        const char *w = json_string_value(e);
        if (str_eq(key, "Path")) {
            const char *pre = str_eq(w, "/") ? "/" : NULL;
            char *buf = NULL;
            if (!pre) {
                buf = xmalloc(strlen(w) + 2);
                sprintf(buf, "%s%s", w, str_endswith(w, "/") ? "" : "/");
                pre = buf;
            }
            bool ok = str_startswith(name, pre) &&
                      (str_eq(option, "Recursive") || !strchr(name + strlen(pre), '/'));
            free(buf);
            if (ok)
                return true;
            continue;
        }
        if (!v)
            continue;
        if (str_eq(option, "BeginsWith") ? str_startswith(v, w)
            : str_eq(option, "Contains") ? strstr(v, w) != NULL
                                          : str_eq(v, w))
            return true;
    }
    return false;
}

/* DescribeParameters: ParameterFilters (Name, Type, KeyId, Path, DataType, Tier) and the
 * legacy Filters; MaxResults 1..50. Public parameters are not listed [obs]. */
int ssm_describe_parameters(struct call *c, const json_t *in, struct out *o)
{
    const char *after;
    int64_t max = 50;
    if (json_object_get(in, SSM_IN_MaxResults))
        max = json_integer_value(json_object_get(in, SSM_IN_MaxResults));
    if (token_read(c, in, &after))
        return -1;
    json_t *all = param_all(c, false);
    out_begin(o, "Parameters");
    int64_t n = 0;
    const char *last = NULL;
    bool more = false;
    size_t i, j;
    json_t *p;
    const json_t *f;
    json_array_foreach(all, i, p)
    {
        const char *name = json_string_value(json_object_get(p, "Name"));
        if (after && strcmp(name, after) <= 0)
            continue;
        bool ok = true;
        json_array_foreach(json_object_get(in, SSM_IN_ParameterFilters), j, f)
            ok = ok && filter_ok(p, json_string_value(json_object_get(f, "Key")),
                                 json_string_value(json_object_get(f, "Option")),
                                 json_object_get(f, "Values"));
        json_array_foreach(json_object_get(in, SSM_IN_Filters), j, f)
            ok = ok && filter_ok(p, json_string_value(json_object_get(f, "Key")), "Equals",
                                 json_object_get(f, "Values"));
        if (!ok)
            continue;
        if (n == max) {
            more = true;
            break;
        }
        out_begin(o, NULL);
        out_str(o, "Name", name);
        out_str(o, "ARN", json_string_value(json_object_get(p, "ARN")));
        out_str(o, "Type", json_string_value(json_object_get(p, "Type")));
        if (json_object_get(p, "_key"))
            out_str(o, "KeyId", json_string_value(json_object_get(p, "_key")));
        out_time(o, "LastModifiedDate", json_integer_value(json_object_get(p, "LastModifiedDate")));
        out_str(o, "LastModifiedUser", json_string_value(json_object_get(p, "_user")));
        if (json_object_get(p, "_desc"))
            out_str(o, "Description", json_string_value(json_object_get(p, "_desc")));
        if (json_object_get(p, "_pattern"))
            out_str(o, "AllowedPattern", json_string_value(json_object_get(p, "_pattern")));
        out_int(o, "Version", json_integer_value(json_object_get(p, "Version")));
        out_str(o, "Tier", json_string_value(json_object_get(p, "_tier")));
        out_begin(o, "Policies");
        out_end(o);
        out_str(o, "DataType", json_string_value(json_object_get(p, "DataType")));
        out_end(o);
        last = arena_strdup(c->a, name);
        n++;
    }
    out_end(o);
    json_decref(all);
    if (more && last)
        out_str(o, "NextToken", token_of(c, last));
    return 0;
}
