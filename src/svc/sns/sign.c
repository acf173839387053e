/*
 * sign.c — the lab's SNS signing key: an RSA 2048 key and a self-signed certificate made
 * with OpenSSL on first use and kept in sns_signing (a reset keeps them). Messages are
 * signed as AWS documents it: SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA, over
 * the string to sign, base64 (PKCS#1 v1.5). The certificate is served at SigningCertURL
 * (routes.c), so a receiver's standard check (openssl, the SDKs' validators) passes.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "clock/clock.h"
#include "svc/sns/sns_internal.h"

static char *bio_text(BIO *b)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    return n > 0 ? xstrndup(p, (size_t)n) : NULL;
}

/* Makes a new key and certificate (PEM, heap). 0 / -1. */
static int make_key(char **key_pem, char **cert_pem)
{
    int rc = -1;
    EVP_PKEY *pk = EVP_RSA_gen(2048);
    X509 *x = X509_new();
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    if (!pk || !x || !kb || !cb)
        goto out;
    unsigned char serial[8];
    rand_bytes(serial, sizeof(serial));
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
    if (!bn)
        goto out;
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    X509_set_version(x, 2);
    time_t now = (time_t)(clock_now() / 1000);
    ASN1_TIME_set(X509_getm_notBefore(x), now - 86400);
    ASN1_TIME_set(X509_getm_notAfter(x), now + 10LL * 366 * 86400);
    X509_NAME *name = X509_get_subject_name(x);
    /* inferred: AWS's certificates name sns.amazonaws.com */
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"recoverlab", -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"sns.amazonaws.com",
                               -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, pk);
    if (!X509_sign(x, pk, EVP_sha256()))
        goto out;
    if (!PEM_write_bio_PrivateKey(kb, pk, NULL, NULL, 0, NULL, NULL) || !PEM_write_bio_X509(cb, x))
        goto out;
    *key_pem = bio_text(kb);
    *cert_pem = bio_text(cb);
    rc = *key_pem && *cert_pem ? 0 : -1;
out:
    EVP_PKEY_free(pk);
    X509_free(x);
    BIO_free(kb);
    BIO_free(cb);
    return rc;
}

/* The stored key and certificate, made when missing. 0 / -1. */
static int load(struct store *st, char **key_pem, char **cert_pem)
{
    *key_pem = *cert_pem = NULL;
    sqlite3_stmt *s = store_stmt(st, "SELECT key_pem, cert_pem FROM sns_signing WHERE id = 1");
    if (sqlite3_step(s) == SQLITE_ROW) {
        *key_pem = xstrdup((const char *)sqlite3_column_text(s, 0));
        *cert_pem = xstrdup((const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    if (*key_pem)
        return 0;
    if (make_key(key_pem, cert_pem)) {
        log_error("sns: cannot make the signing key");
        return -1;
    }
    s = store_stmt(st,
                   "INSERT OR REPLACE INTO sns_signing(id, key_pem, cert_pem) VALUES(1, ?1, ?2)");
    sqlite3_bind_text(s, 1, *key_pem, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, *cert_pem, -1, SQLITE_TRANSIENT);
    int ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok ? 0 : -1;
}

int sns_sign(struct store *st, int version, const char *text, char **out)
{
    char *key_pem = NULL, *cert_pem = NULL;
    int rc = -1;
    *out = NULL;
    EVP_PKEY *pk = NULL;
    EVP_MD_CTX *md = NULL;
    BIO *b = NULL;
    unsigned char *sig = NULL;
    if (load(st, &key_pem, &cert_pem))
        goto out;
    b = BIO_new_mem_buf(key_pem, -1);
    pk = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    md = EVP_MD_CTX_new();
    if (!pk || !md)
        goto out;
    size_t n = 0;
    if (EVP_DigestSignInit(md, NULL, version == 2 ? EVP_sha256() : EVP_sha1(), NULL, pk) != 1 ||
        EVP_DigestSign(md, NULL, &n, (const unsigned char *)text, strlen(text)) != 1)
        goto out;
    sig = xmalloc(n);
    if (EVP_DigestSign(md, sig, &n, (const unsigned char *)text, strlen(text)) != 1)
        goto out;
    char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, sig, (int)n);
    *out = b64;
    rc = 0;
out:
    free(sig);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    BIO_free(b);
    free(key_pem);
    free(cert_pem);
    return rc;
}

int sns_cert(struct store *st, char **pem, char name[96])
{
    char *key_pem = NULL;
    if (load(st, &key_pem, pem))
        return -1;
    free(key_pem);
    unsigned char d[32];
    char hex[65];
    unsigned int dn = 0;
    EVP_Digest(*pem, strlen(*pem), d, &dn, EVP_sha256(), NULL);
    hex_encode(d, 16, hex);
    snprintf(name, 96, "SimpleNotificationService-%s.pem", hex);
    return 0;
}
