/*
 * sns_internal.h — what the files of the SNS module share: topics and subscriptions as
 * stored (schema.c), authorization with topic policies (authz.c), message building,
 * signing and delivery in virtual time (publish.c, sign.c, deliver.c).
 */
#ifndef RL_SNS_INTERNAL_H
#define RL_SNS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/call.h"
#include "store/store.h"
#include "svc/module.h"

extern const struct store_schema sns_schema;

#define SNS_CW_PRINCIPAL "cloudwatch.amazonaws.com"
#define SNS_EV_DELIVER "sns.deliver"
#define SNS_PENDING "pending confirmation"
#define SNS_PAGE 100 /* ListTopics / ListSubscriptions page size [doc] */

/* A topic row. attrs: the attributes set on it (DisplayName, Policy, DeliveryPolicy...),
 * owned. */
struct sns_topic {
    char arn[300];
    char account[16];
    char region[32];
    char name[260];
    json_t *attrs;
    int64_t created_ms;
};

/* A subscription row. attrs owned. */
struct sns_sub {
    char arn[400];
    char topic_arn[300];
    char account[16];
    char region[32];
    char protocol[16];
    char *endpoint; /* heap */
    char owner[16];
    bool confirmed;
    bool authenticated; /* ConfirmationWasAuthenticated */
    char token[130];
    json_t *attrs;
};

/* ---- helpers.c ---- */
int sns_internal(struct call *c);
/* InvalidParameter (400) "Invalid parameter: <text>". */
int sns_invalid(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *sns_str(const json_t *o, const char *k);
/* The region and account of a topic ARN of this partition; 0 ok, -1 malformed. */
int sns_arn_parse(const char *arn, char region[32], char account[16], char name[260]);
/* 0 found, 1 not found, -1 error. */
int sns_topic_load(struct store *st, const char *arn, struct sns_topic *t);
int sns_topic_save_attrs(struct store *st, const struct sns_topic *t);
void sns_topic_free(struct sns_topic *t);
/* Loads a topic named in a call; NotFound "Topic does not exist" when absent. 0 / -1. */
int sns_topic_need(struct call *c, const char *arn, struct sns_topic *t);
int sns_sub_load(struct store *st, const char *arn, struct sns_sub *s);
int sns_sub_load_token(struct store *st, const char *topic_arn, const char *token,
                       struct sns_sub *s);
int sns_sub_save(struct store *st, const struct sns_sub *s);
int sns_sub_delete(struct store *st, const char *arn);
void sns_sub_free(struct sns_sub *s);
/* The default topic policy (AWS's: the owner account only), heap JSON text. */
char *sns_default_policy(const char *topic_arn, const char *account);
/* The EffectiveDeliveryPolicy of a topic (DeliveryPolicy merged on the defaults), owned. */
json_t *sns_effective_delivery_policy(const json_t *topic_attrs);
/* Base URL of the lab ("http://127.0.0.1:4566"). */
const char *sns_base_url(void);
bool sns_deliver_any(void);

/* ---- authz.c ---- */
/*
 * Authorizes c->who for action ("sns:Publish") on topic t, with the topic policy (t->attrs
 * Policy, the default when unset) evaluated together with the caller's identity policies:
 * an explicit Deny in either refuses; a service principal needs the topic policy to allow;
 * others need their identity policies or the topic policy to allow. Fails c with
 * AuthorizationError (403). 0 allowed, -1 refused.
 */
int sns_authorize(struct call *c, const char *action, const struct sns_topic *t);

/* ---- publish.c ---- */
/*
 * Publishes one message to every confirmed subscription of t whose filter policy matches.
 * subject may be NULL; attrs: MessageAttributes map or NULL; structure_json: Message is a
 * MessageStructure=json document (already checked). message_id[37] receives the id. 0 / -1.
 */
int sns_publish_message(struct call *c, const struct sns_topic *t, const char *message,
                        const char *subject, const json_t *attrs, bool structure_json,
                        char message_id[37]);
/* Sends the SubscriptionConfirmation of s (http/https: a POST; others: the inbox). */
int sns_send_confirmation(struct call *c, const struct sns_topic *t, const struct sns_sub *s);
/* Validates MessageAttributes (AWS's texts). 0 / -1 with c failed. */
int sns_check_attributes(struct call *c, const json_t *attrs);
/* Checks a FilterPolicy text; 0 ok, -1 with c failed (InvalidParameter). */
int sns_filter_check(struct call *c, const char *text);
/* True when attrs (MessageAttributes) match the filter policy text. */
bool sns_filter_match(const char *policy, const json_t *attrs);

/* ---- sign.c ---- */
/* Signs text with the lab's SNS key (created on first use): SignatureVersion 1 (SHA1withRSA)
 * or 2 (SHA256withRSA); base64 into *out (heap). 0 / -1. */
int sns_sign(struct store *st, int version, const char *text, char **out);
/* The certificate (PEM, heap) and its file name "SimpleNotificationService-<hex>.pem". */
int sns_cert(struct store *st, char **pem, char name[96]);

/* ---- deliver.c ---- */
/*
 * Queues one delivery: type (Notification, SubscriptionConfirmation,
 * UnsubscribeConfirmation), the body as sent, and the headers (JSON object). http/https
 * endpoints get a POST at now (and retries on the delivery policy); others land in the
 * inbox. 0 / -1.
 */
int sns_deliver(struct call *c, const struct sns_sub *s, const char *type, const char *message_id,
                const char *subject, const char *body, const json_t *headers, const json_t *policy);
void sns_deliver_init(void);
/* Seconds before retry n (1: the first) under a healthyRetryPolicy object, -1 when spent. */
int64_t sns_retry_delay(const json_t *policy, int n);
/* Confirms a subscription by token (ConfirmSubscription, SubscribeURL). 0 ok, -1 failed. */
int sns_confirm(struct call *c, const char *topic_arn, const char *token, bool authenticated,
                char **sub_arn);

/* ---- routes.c ---- */
extern const struct svc_route sns_routes[];
extern const size_t sns_nroutes;

#endif
