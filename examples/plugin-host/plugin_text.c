/* plugin_text.so: text commands that build their output in a buffer of
   libhostutil.so, freed by a deferred call on every return path. */
#include <ctype.h>
#include <modlink.h>
#include <string.h>

#include "command.h"
#include "hostutil.h"

static int run_upper(int argc, char **argv)
{
  struct util_buffer *out = util_buffer_new();
  if (!out)
    return 1;
  modlink_defer(util_buffer_free, out); /* deferred function in libhostutil.so */
  for (int i = 1; i < argc; i++) {
    if (!isalpha((unsigned char)argv[i][0])) {
      util_say("upper: '%s' is not a word", argv[i]);
      return 1; /* the buffer is freed here too */
    }
    util_buffer_append(out, i > 1 ? " " : "");
    util_buffer_append(out, argv[i]);
  }
  for (char *p = out->text; *p; p++)
    *p = (char)toupper((unsigned char)*p);
  util_say("%s", out->text);
  return 0;
}

static int run_reverse(int argc, char **argv)
{
  struct util_buffer *out = util_buffer_new();
  if (!out)
    return 1;
  modlink_defer(util_buffer_free, out);
  for (int i = argc - 1; i >= 1; i--) {
    util_buffer_append(out, argv[i]);
    util_buffer_append(out, i > 1 ? " " : "");
  }
  util_say("%s", out->text);
  return 0;
}

static const struct command upper = {"upper", "WORD...", "upper-case words", run_upper};
static const struct command reverse = {"reverse", "WORD...", "reverse the words", run_reverse};
MODLINK_ENTRY("command", &upper);
MODLINK_ENTRY("command", &reverse);
