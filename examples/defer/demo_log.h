/* libdemo_log.so: a logger in another module, with its own globals. */
#ifndef DEMO_LOG_H
#define DEMO_LOG_H
void demo_log(void *message);
int demo_log_count(void);
#endif
