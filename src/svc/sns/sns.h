/*
 * sns.h — Amazon SNS as a module of the lab: what other parts of the program may call.
 * Other services reach SNS through svc_invoke() (CloudWatch alarm actions publish as the
 * cloudwatch.amazonaws.com service principal, so the topic policy is checked); main.c tells
 * the module where the lab is reachable and how far it may deliver.
 */
#ifndef RL_SNS_H
#define RL_SNS_H

#include <jansson.h>
#include <stdbool.h>

struct cfn_provider;

/* The lab's base URL as clients reach it ("http://127.0.0.1:4566"): SubscribeURL,
 * UnsubscribeURL and SigningCertURL are built on it. Copied. */
void sns_set_endpoint(const char *base_url);
/* serve --sns-deliver any: HTTP/S deliveries may go to any host, not only loopback. */
void sns_set_deliver_any(bool any);

/* SNS's CloudFormation providers (cfn_sns.c): Topic, Subscription, TopicPolicy. */
extern const struct cfn_provider *const sns_cfn_providers[];

#endif
