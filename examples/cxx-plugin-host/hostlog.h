/* libpluginapi.so's C part: the host's log, shared by C and C++. */
#ifndef CXX_PLUGIN_HOST_HOSTLOG_H
#define CXX_PLUGIN_HOST_HOSTLOG_H
#ifdef __cplusplus
extern "C" {
#endif
/* One line of output, indented. */
void hostlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For modlink_defer: logs "(end of MESSAGE)". */
void hostlog_end(void *message);
#ifdef __cplusplus
}
#endif
#endif
