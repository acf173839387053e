/*
 * cw_eval_store.h — helpers of the alarm engine tests (cw_eval_test.c, cw_actions_test.c):
 * inserting alarm rows directly into cw_alarms and reading history rows back.
 */
#ifndef RL_CW_EVAL_STORE_H
#define RL_CW_EVAL_STORE_H

#include <stdint.h>

#include "core/principal.h"

struct store;

/* Inserts (replaces) alarm name in us-east-1 with doc (JSON text), creator and key. */
void cwt_alarm_insert(struct store *st, const char *name, const char *doc,
                      const struct principal *creator, const char *creator_key);
/* Number of history items of the alarm with this item type. */
int cwt_history_count(struct store *st, const char *name, const char *item_type);
/* Summary / data of the newest item of that type (static buffers, "" when none). */
const char *cwt_history_summary(struct store *st, const char *name, const char *item_type);
const char *cwt_history_data(struct store *st, const char *name, const char *item_type);
/* The alarm's StateValue / StateReason / StateReasonData from its stored doc (static). */
const char *cwt_alarm_field(struct store *st, const char *name, const char *field);

#endif
