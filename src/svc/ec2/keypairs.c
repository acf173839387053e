/*
 * keypairs.c — key pairs with real key material (OpenSSL): CreateKeyPair, ImportKeyPair,
 * DeleteKeyPair, DescribeKeyPairs; RunInstances' KeyName check (ec2_key_pair_check).
 *
 * Fingerprints as AWS computes them [doc: KeyPairInfo.KeyFingerprint]: a created RSA key is
 * the SHA-1 digest of its DER PKCS#8 private key; an imported RSA key the MD5 digest of its
 * DER public key (RFC 4716 section 4); ED25519 keys the base64 SHA-256 digest of the OpenSSH
 * public key blob (OpenSSH's own fingerprint, with base64 padding: inferred). A created RSA
 * key's material is PEM PKCS#1 ("BEGIN RSA PRIVATE KEY"), an ED25519 key's the OpenSSH
 * private key format [doc: "An unencrypted PEM encoded RSA or ED25519 private key"]. The
 * private key is never stored: only the public key (OpenSSH form, key name as comment).
 */
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "svc/ec2/ec2_net.h"
#include "svc/ec2/ops.h"
#include "wire/models/ec2_members.h"

/* ---------------------------------------------------------------- SSH wire helpers */

static void ssh_u32(struct buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    buf_put(b, x, 4);
}

static void ssh_str(struct buf *b, const void *p, size_t n)
{
    ssh_u32(b, (uint32_t)n);
    buf_put(b, p, n);
}

/* An SSH mpint from a big-endian magnitude (leading zero when the top bit is set). */
static void ssh_mpint(struct buf *b, const unsigned char *p, size_t n)
{
    while (n && !*p)
        p++, n--;
    bool pad = n && (p[0] & 0x80);
    ssh_u32(b, (uint32_t)(n + pad));
    if (pad)
        buf_putc(b, 0);
    buf_put(b, p, n);
}

static char *b64(struct call *c, const void *p, size_t n)
{
    char *out = arena_alloc(c->a, 4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

/* Reads an SSH string at *p (advancing); NULL when short. */
static const unsigned char *ssh_read(const unsigned char **p, const unsigned char *end,
                                     size_t *n)
{
    if (end - *p < 4)
        return NULL;
    uint32_t len = ((uint32_t)(*p)[0] << 24) | ((uint32_t)(*p)[1] << 16) |
                   ((uint32_t)(*p)[2] << 8) | (*p)[3];
    if ((size_t)(end - *p - 4) < len)
        return NULL;
    const unsigned char *s = *p + 4;
    *p += 4 + len;
    *n = len;
    return s;
}

static void hex_colon(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 3 * i, i + 1 < n ? "%02x:" : "%02x", d[i]);
}

/* ---------------------------------------------------------------- key material */

struct keymat {
    const char *type;        /* rsa | ed25519 */
    char fingerprint[128];
    char *public_key;        /* OpenSSH form (arena) */
    char *private_pem;       /* created keys only (arena) */
};

/* The OpenSSH public blob of an RSA key. */
static int rsa_blob(EVP_PKEY *k, struct buf *blob)
{
    BIGNUM *n = NULL, *e = NULL;
    if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) ||
        !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e)) {
        BN_free(n);
        BN_free(e);
        return -1;
    }
    unsigned char nb[1024], eb[16];
    int nl = BN_bn2bin(n, nb), el = BN_bn2bin(e, eb);
    BN_free(n);
    BN_free(e);
    if (nl <= 0 || el <= 0)
        return -1;
    ssh_str(blob, "ssh-rsa", 7);
    ssh_mpint(blob, eb, (size_t)el);
    ssh_mpint(blob, nb, (size_t)nl);
    return 0;
}

static void ed_fingerprint(const struct buf *blob, char out[128])
{
    unsigned char d[32];
    EVP_Digest(blob->p, blob->len, d, NULL, EVP_sha256(), NULL);
    EVP_EncodeBlock((unsigned char *)out, d, 32);
}

/* The OpenSSH private key file of an ED25519 key (openssh-key-v1, unencrypted). */
static char *openssh_private(struct call *c, const struct buf *pub_blob, const unsigned char pub[32],
                             const unsigned char seed[32], const char *comment)
{
    struct buf priv = BUF_INIT, all = BUF_INIT;
    uint32_t check;
    RAND_bytes((unsigned char *)&check, sizeof(check));
    ssh_u32(&priv, check);
    ssh_u32(&priv, check);
    ssh_str(&priv, "ssh-ed25519", 11);
    ssh_str(&priv, pub, 32);
    unsigned char sk[64];
    memcpy(sk, seed, 32);
    memcpy(sk + 32, pub, 32);
    ssh_str(&priv, sk, 64);
    ssh_str(&priv, comment, strlen(comment));
    for (unsigned char pad = 1; priv.len % 8; pad++)
        buf_putc(&priv, (char)pad);
    buf_put(&all, "openssh-key-v1", 15); /* with its NUL */
    ssh_str(&all, "none", 4);
    ssh_str(&all, "none", 4);
    ssh_str(&all, "", 0);
    ssh_u32(&all, 1);
    ssh_str(&all, pub_blob->p, pub_blob->len);
    ssh_str(&all, priv.p, priv.len);
    char *text = b64(c, all.p, all.len);
    struct buf pem = BUF_INIT;
    buf_puts(&pem, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    for (size_t i = 0, n = strlen(text); i < n; i += 70) {
        buf_put(&pem, text + i, n - i < 70 ? n - i : 70);
        buf_putc(&pem, '\n');
    }
    buf_puts(&pem, "-----END OPENSSH PRIVATE KEY-----\n");
    char *out = arena_strdup(c->a, pem.p);
    OPENSSL_cleanse(sk, sizeof(sk));
    OPENSSL_cleanse(priv.p, priv.len);
    buf_free(&priv);
    buf_free(&all);
    buf_free(&pem);
    return out;
}

static int key_generate(struct call *c, const char *type, const char *name, struct keymat *m)
{
    int rc = -1;
    EVP_PKEY *k = NULL;
    BIO *bio = NULL;
    struct buf blob = BUF_INIT;
    m->type = type;
    if (str_eq(type, "rsa")) {
        k = EVP_RSA_gen(2048);
        bio = BIO_new(BIO_s_mem());
        if (!k || !bio || !PEM_write_bio_PrivateKey_traditional(bio, k, NULL, NULL, 0, NULL, NULL))
            goto out;
        char *pem;
        long n = BIO_get_mem_data(bio, &pem);
        m->private_pem = arena_strndup(c->a, pem, (size_t)n);
        PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
        unsigned char *der = NULL;
        int dl = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : -1;
        PKCS8_PRIV_KEY_INFO_free(p8);
        if (dl <= 0)
            goto out;
        unsigned char d[20];
        EVP_Digest(der, (size_t)dl, d, NULL, EVP_sha1(), NULL);
        OPENSSL_clear_free(der, (size_t)dl);
        hex_colon(d, 20, m->fingerprint);
        if (rsa_blob(k, &blob))
            goto out;
        m->public_key = arena_printf(c->a, "ssh-rsa %s %s", b64(c, blob.p, blob.len), name);
    } else {
        k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        unsigned char pub[32], seed[32];
        size_t pl = 32, sl = 32;
        if (!k || !EVP_PKEY_get_raw_public_key(k, pub, &pl) ||
            !EVP_PKEY_get_raw_private_key(k, seed, &sl))
            goto out;
        ssh_str(&blob, "ssh-ed25519", 11);
        ssh_str(&blob, pub, 32);
        ed_fingerprint(&blob, m->fingerprint);
        m->public_key = arena_printf(c->a, "ssh-ed25519 %s %s", b64(c, blob.p, blob.len), name);
        m->private_pem = openssh_private(c, &blob, pub, seed, name);
        OPENSSL_cleanse(seed, sizeof(seed));
    }
    rc = 0;
out:
    if (rc)
        ec2_internal(c);
    buf_free(&blob);
    BIO_free(bio);
    EVP_PKEY_free(k);
    return rc;
}

/* Parses an OpenSSH public key line ("ssh-rsa AAAA... comment", "ssh-ed25519 ..."). */
static int key_import(struct call *c, const char *text, size_t len, const char *name,
                      struct keymat *m)
{
    char *t = arena_strndup(c->a, text, len);
    char *sp = t;
    while (*sp == ' ' || *sp == '\n' || *sp == '\r' || *sp == '\t')
        sp++;
    char *kind = sp, *data = strchr(sp, ' ');
    if (!data)
        return 1;
    *data++ = 0;
    while (*data == ' ')
        data++;
    size_t dl = strcspn(data, " \r\n\t");
    data[dl] = 0;
    unsigned char *raw = arena_alloc(c->a, dl + 3);
    int rl = EVP_DecodeBlock(raw, (const unsigned char *)data, (int)dl);
    if (rl <= 0)
        return 1;
    while (dl && data[dl - 1] == '=') /* EVP_DecodeBlock counts the padding as zero bytes */
        dl--, rl--;
    const unsigned char *p = raw, *end = raw + rl;
    size_t n;
    const unsigned char *ktype = ssh_read(&p, end, &n);
    if (!ktype || n != strlen(kind) || memcmp(ktype, kind, n))
        return 1;
    struct buf blob = BUF_INIT;
    buf_put(&blob, raw, (size_t)rl);
    int rc = 1;
    if (str_eq(kind, "ssh-ed25519")) {
        const unsigned char *pub = ssh_read(&p, end, &n);
        if (!pub || n != 32 || p != end)
            goto out;
        m->type = "ed25519";
        ed_fingerprint(&blob, m->fingerprint);
    } else if (str_eq(kind, "ssh-rsa")) {
        size_t el, nl;
        const unsigned char *e = ssh_read(&p, end, &el), *nn = ssh_read(&p, end, &nl);
        if (!e || !nn || p != end || nl < 128 || nl > 2049)
            goto out;
        BIGNUM *bn_e = BN_bin2bn(e, (int)el, NULL), *bn_n = BN_bin2bn(nn, (int)nl, NULL);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        OSSL_PARAM *params = NULL;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        EVP_PKEY *k = NULL;
        if (bn_e && bn_n && bld && ctx && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
            (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(ctx) > 0 &&
            EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) > 0) {
            unsigned char *der = NULL;
            int derl = i2d_PUBKEY(k, &der);
            if (derl > 0) {
                unsigned char d[16];
                EVP_Digest(der, (size_t)derl, d, NULL, EVP_md5(), NULL);
                hex_colon(d, 16, m->fingerprint);
                m->type = "rsa";
                rc = 0;
            }
            OPENSSL_free(der);
        }
        EVP_PKEY_free(k);
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        BN_free(bn_e);
        BN_free(bn_n);
        if (rc)
            goto out;
    } else {
        goto out;
    }
    m->public_key = arena_printf(c->a, "%s %s %s", kind, data, name);
    rc = 0;
out:
    buf_free(&blob);
    return rc;
}

/* ---------------------------------------------------------------- rows */

static int key_by_name(struct call *c, const char *name, char id[32])
{
    sqlite3_stmt *s =
        store_stmt(c->st, "SELECT id FROM ec2_key_pairs WHERE region = ?1 AND name = ?2");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && id)
        snprintf(id, 32, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        ec2_db_fail(c->st, "key pair lookup");
        return ec2_internal(c);
    }
    return rc == SQLITE_ROW ? 0 : 1;
}

int ec2_key_pair_check(struct call *c, const char *name)
{
    int rc = key_by_name(c, name, NULL);
    if (rc == 1)
        return call_fail(c, 400, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist",
                         name); /* [obs] */
    return rc;
}

/* Name checks and the duplicate of Create/ImportKeyPair. */
static int key_name_ok(struct call *c, const char *name)
{
    if (!name || !*name || strlen(name) > 255)
        return call_fail(c, 400, "InvalidParameterValue",
                         "Invalid value '%s' for keyName. It must be between 1 and 255 ASCII "
                         "characters.",
                         name ? name : ""); /* inferred */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 32 || *p > 126)
            return call_fail(c, 400, "InvalidParameterValue",
                             "Invalid value '%s' for keyName. Character sets beyond ASCII are not "
                             "supported.",
                             name); /* [obs] */
    int rc = key_by_name(c, name, NULL);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return call_fail(c, 400, "InvalidKeyPair.Duplicate", "The keypair '%s' already exists.",
                         name); /* [obs] */
    return 0;
}

static int key_insert(struct call *c, const char *name, const struct keymat *m, char id[32])
{
    ec2_new_id("key", id, 32);
    sqlite3_stmt *s = store_stmt(c->st, "INSERT INTO ec2_key_pairs(id, region, name, type,"
                                        " fingerprint, public_key, created_ms)"
                                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, c->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, m->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, m->fingerprint, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, m->public_key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 7, c->now_ms);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        ec2_db_fail(c->st, "key pair insert");
        return ec2_internal(c);
    }
    return 0;
}

static const char *const key_tag_types[] = {"key-pair", NULL};

/* CreateKeyPair: KeyType rsa (2048 bits) | ed25519, KeyFormat pem. */
int ec2_create_key_pair(struct call *c, const json_t *in, struct out *o)
{
    const char *name = json_string_value(json_object_get(in, EC2_IN_KeyName));
    const char *type = json_string_value(json_object_get(in, EC2_IN_KeyType));
    const char *format = json_string_value(json_object_get(in, EC2_IN_KeyFormat));
    const json_t *tags = NULL;
    if (!ec2_call_region(c) || key_name_ok(c, name) ||
        ec2_tag_specs(c, in, key_tag_types, "key-pair", &tags))
        return -1;
    if (!type)
        type = "rsa";
    if (format && !str_eq(format, "pem"))
        return call_fail(c, 400, "InvalidParameterValue",
                         "Key format '%s' is not supported by recoverlab: use pem",
                         format); /* inferred: the lab does not write PuTTY files */
    if (ec2_dry_run(c, in))
        return -1;
    struct keymat m;
    memset(&m, 0, sizeof(m));
    char id[32];
    if (key_generate(c, type, name, &m) || key_insert(c, name, &m, id) ||
        (tags && ec2_tags_put(c, id, "key-pair", tags)))
        return -1;
    out_str(o, "KeyPairId", id);
    if (tags)
        out_json(o, "Tags", tags);
    out_str(o, "KeyName", name);
    out_str(o, "KeyFingerprint", m.fingerprint);
    out_str(o, "KeyMaterial", m.private_pem);
    return 0;
}

/* ImportKeyPair: an OpenSSH public key (ssh-rsa 1024..16384 bits, ssh-ed25519). */
int ec2_import_key_pair(struct call *c, const json_t *in, struct out *o)
{
    const char *name = json_string_value(json_object_get(in, EC2_IN_KeyName));
    const json_t *mat = json_object_get(in, EC2_IN_PublicKeyMaterial);
    const json_t *tags = NULL;
    if (!ec2_call_region(c) || key_name_ok(c, name) ||
        ec2_tag_specs(c, in, key_tag_types, "key-pair", &tags))
        return -1;
    struct keymat m;
    memset(&m, 0, sizeof(m));
    if (!json_is_string(mat) ||
        key_import(c, json_string_value(mat), json_string_length(mat), name, &m))
        return call_fail(c, 400, "InvalidKey.Format",
                         "Key is not in valid OpenSSH public key format"); /* [obs] */
    if (ec2_dry_run(c, in))
        return -1;
    char id[32];
    if (key_insert(c, name, &m, id) || (tags && ec2_tags_put(c, id, "key-pair", tags)))
        return -1;
    out_str(o, "KeyFingerprint", m.fingerprint);
    out_str(o, "KeyName", name);
    out_str(o, "KeyPairId", id);
    if (tags)
        out_json(o, "Tags", tags);
    return 0;
}

/* DeleteKeyPair by KeyName or KeyPairId: an unknown name succeeds, as on AWS [obs]. */
int ec2_delete_key_pair(struct call *c, const json_t *in, struct out *o)
{
    const char *name = json_string_value(json_object_get(in, EC2_IN_KeyName));
    const char *kid = json_string_value(json_object_get(in, EC2_IN_KeyPairId));
    if (!ec2_call_region(c))
        return -1;
    if (!name && !kid)
        return call_fail(c, 400, "MissingParameter",
                         "The request must contain the parameter KeyName or KeyPairId");
    char id[32] = "";
    if (kid) {
        if (!ec2_id_ok(kid, "key"))
            return call_fail(c, 400, "InvalidKeyPair.Malformed",
                             "Invalid id: \"%s\" (expecting \"key-...\")", kid); /* inferred */
        sqlite3_stmt *s =
            store_stmt(c->st, "SELECT id FROM ec2_key_pairs WHERE region = ?1 AND id = ?2");
        sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, kid, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_ROW)
            return call_fail(c, 400, "InvalidKeyPair.NotFound",
                             "The key pair '%s' does not exist", kid); /* [obs] */
        snprintf(id, sizeof(id), "%s", kid);
    } else if (key_by_name(c, name, id) < 0) {
        return -1;
    }
    if (ec2_dry_run(c, in))
        return -1;
    if (id[0]) {
        sqlite3_stmt *s = store_stmt(c->st, "DELETE FROM ec2_key_pairs WHERE id = ?1");
        sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE || ec2_tags_drop(c->st, id))
            return ec2_internal(c);
    }
    out_bool(o, "Return", true);
    if (id[0])
        out_str(o, "KeyPairId", id);
    return 0;
}

static const char *const key_filters[] = {"key-pair-id", "fingerprint", "key-name", "key-type",
                                          "tag:", "tag-key", "tag-value", NULL};

/* DescribeKeyPairs: KeyNames, KeyPairIds (unknown ones fail), Filters, IncludePublicKey. */
int ec2_describe_key_pairs(struct call *c, const json_t *in, struct out *o)
{
    if (!ec2_call_region(c) || ec2_check_filters(c, in, key_filters))
        return -1;
    const json_t *names = json_object_get(in, EC2_IN_KeyNames);
    const json_t *ids = json_object_get(in, EC2_IN_KeyPairIds);
    bool pub = json_is_true(json_object_get(in, EC2_IN_IncludePublicKey));
    sqlite3_stmt *s = store_stmt(c->st, "SELECT id, name, type, fingerprint, public_key, created_ms"
                                        " FROM ec2_key_pairs WHERE region = ?1 ORDER BY name");
    sqlite3_bind_text(s, 1, c->region, -1, SQLITE_TRANSIENT);
    json_t *rows = json_array();
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(
            rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "KeyPairId", sqlite3_column_text(s, 0),
                            "KeyName", sqlite3_column_text(s, 1), "KeyType",
                            sqlite3_column_text(s, 2), "KeyFingerprint", sqlite3_column_text(s, 3),
                            "PublicKey", sqlite3_column_text(s, 4), "CreateTime",
                            (json_int_t)sqlite3_column_int64(s, 5)));
    sqlite3_reset(s);
    int rc = -1;
    size_t i;
    const json_t *e, *r;
    /* every asked-for name and id must exist [obs] */
    json_array_foreach(names, i, e)
    {
        bool found = false;
        size_t j;
        json_array_foreach(rows, j, r) found |=
            str_eq(json_string_value(json_object_get(r, "KeyName")), json_string_value(e));
        if (!found) {
            call_fail(c, 400, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist",
                      json_string_value(e)); /* [obs] */
            goto out;
        }
    }
    json_array_foreach(ids, i, e)
    {
        bool found = false;
        size_t j;
        json_array_foreach(rows, j, r) found |=
            str_eq(json_string_value(json_object_get(r, "KeyPairId")), json_string_value(e));
        if (!found) {
            call_fail(c, 400, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist",
                      json_string_value(e)); /* [obs] */
            goto out;
        }
    }
    if (ec2_dry_run(c, in))
        goto out;
    out_begin(o, "KeyPairs");
    json_array_foreach(rows, i, r)
    {
        const char *id = json_string_value(json_object_get(r, "KeyPairId"));
        if (json_array_size(names) &&
            !wire_list_has(names, json_string_value(json_object_get(r, "KeyName"))))
            continue;
        if (json_array_size(ids) && !wire_list_has(ids, id))
            continue;
        json_t *tags = ec2_tags_get(c->st, id);
        json_t *facets = json_pack("{s:O, s:O, s:O, s:O}", "key-pair-id",
                                   json_object_get(r, "KeyPairId"), "fingerprint",
                                   json_object_get(r, "KeyFingerprint"), "key-name",
                                   json_object_get(r, "KeyName"), "key-type",
                                   json_object_get(r, "KeyType"));
        bool ok = ec2_filters_match(in, facets, tags);
        json_decref(facets);
        if (ok) {
            out_begin(o, NULL);
            out_str(o, "KeyPairId", id);
            out_str(o, "KeyType", json_string_value(json_object_get(r, "KeyType")));
            out_json(o, "Tags", tags); /* an empty tagSet too [obs] */
            if (pub)
                out_str(o, "PublicKey", json_string_value(json_object_get(r, "PublicKey")));
            out_time(o, "CreateTime", json_integer_value(json_object_get(r, "CreateTime")));
            out_str(o, "KeyName", json_string_value(json_object_get(r, "KeyName")));
            out_str(o, "KeyFingerprint", json_string_value(json_object_get(r, "KeyFingerprint")));
            out_end(o);
        }
        json_decref(tags);
    }
    out_end(o);
    rc = 0;
out:
    json_decref(rows);
    return rc;
}
