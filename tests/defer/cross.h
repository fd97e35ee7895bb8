/* Three modules: the deferring one (libcross_deferring.so), the deferred
   one (libcross_deferred.so), and the runtime (libmodlink.so). */
#ifndef DEFER_CROSS_H
#define DEFER_CROSS_H
/* libcross_deferred.so */
void deferred_record(void *value);
unsigned long deferred_calls(void);
unsigned long deferred_sum(void);
/* libcross_deferring.so: returns a checksum of its own globals */
unsigned long deferring_run(unsigned rounds);
#endif
