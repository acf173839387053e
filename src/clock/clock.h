/*
 * clock.h — virtual time and the event queue. Nothing else calls time(): simulation reads
 * clock_now() and schedules with sched_at(). Modes: real (virtual = wall + offset, offset
 * grows with each advance) and manual (virtual time stands still until advanced/set).
 * Advancing runs every due event in time order, with clock_now() equal to the event time
 * while it runs. State (mode, offset/now, events) persists in the store.
 */
#ifndef RL_CLOCK_H
#define RL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct store_schema;
/* The clock's tables (the event queue), handed to store_open with the services' schemas. */
extern const struct store_schema clock_schema;

struct store;

enum clock_mode { CLOCK_REAL = 0, CLOCK_MANUAL = 1 };

/* An event handler for one kind of event; arg is the string given to sched_at. */
typedef void (*clock_event_fn)(struct store *st, int64_t at_ms, const char *arg);

/*
 * Sets up the clock from the store. On first start (nothing stored) uses mode and
 * start_ms (start_ms <= 0: the wall time). On later starts the stored mode and time win
 * unless force_mode is true.
 */
int clock_init(struct store *st, enum clock_mode mode, int64_t start_ms, bool force_mode);
enum clock_mode clock_mode(void);
int64_t clock_now(void);                   /* virtual ms since epoch */

/* Registers the handler for events of this kind (call before clock_run_due). */
void clock_on(const char *kind, clock_event_fn fn);
/* Queues an event; returns its id (>0) or -1. */
int64_t sched_at(struct store *st, int64_t at_ms, const char *kind, const char *arg);
/* Removes queued events of this kind and arg. */
int sched_cancel(struct store *st, const char *kind, const char *arg);

/* Moves virtual time forward to target (never back), running due events in order.
 * -1 if target is earlier than now. */
int clock_advance_to(struct store *st, int64_t target_ms);
int clock_advance(struct store *st, int64_t delta_ms);
/* Real mode: runs events that became due as wall time passed (called by the loop's timerfd). */
int clock_tick(struct store *st);
/* Milliseconds until the next event is due (for the loop), or -1 if none. */
int64_t clock_next_due_in(struct store *st);

/* For unit tests: sets a manual clock without a store. */
void clock_test_set(int64_t now_ms);

#endif
