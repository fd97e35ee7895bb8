/* Pins; the design is in pins.h. */
#define _GNU_SOURCE
#include "pins.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unwind.h>

struct pin {
  void *object;
  uintptr_t *cookie; /* in the pinning frame */
  uintptr_t value;   /* what the pin wrote there */
  const void *code;  /* an address in the function of the pinning frame */
};

enum { INLINE_PINS = 8 };

/* General-dynamic TLS: foreach is not async-signal-safe, so reaching this
   may call __tls_get_addr. */
static __thread struct {
  struct pin *pins; /* inline_pins, or a heap array when deeper */
  size_t depth, capacity;
  bool exit_hooked;
  bool stack_known;
  uintptr_t cookies; /* the last cookie written */
  uintptr_t stack_lo, stack_hi; /* this thread's stack, or 0, 0 */
  struct pin inline_pins[INLINE_PINS];
} self;

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static bool exit_key_made;

/* The thread exits: whatever it still pins was abandoned. */
static void drop_at_thread_exit(void *unused)
{
  (void)unused;
  if (self.depth)
    modlink__unpin(0);
  if (self.pins != self.inline_pins)
    free(self.pins);
  self.pins = 0;
  self.capacity = 0;
  /* A later key destructor may still iterate: its pins arm this again. */
  self.exit_hooked = false;
}

static void make_exit_key(void)
{
  exit_key_made = pthread_key_create(&exit_key, drop_at_thread_exit) == 0;
}

static bool room_for_one_more(void)
{
  if (!self.pins) {
    self.pins = self.inline_pins;
    self.capacity = INLINE_PINS;
  }
  if (self.depth < self.capacity)
    return true;
  size_t capacity = 2 * self.capacity;
  struct pin *heap = malloc(capacity * sizeof *heap);
  if (!heap)
    return false;
  memcpy(heap, self.pins, self.depth * sizeof *heap);
  if (self.pins != self.inline_pins)
    free(self.pins);
  self.pins = heap;
  self.capacity = capacity;
  return true;
}

size_t modlink__pin(void *object, uintptr_t *cookie, const void *code)
{
  if (!self.exit_hooked) {
    pthread_once(&exit_key_once, make_exit_key);
    self.exit_hooked =
        exit_key_made && pthread_setspecific(exit_key, (void *)1) == 0;
  }
  if (!room_for_one_more())
    return MODLINK_UNTRACKED;
  /* Unlikely to be found on a stack by chance: not a small number, nor an
     address. */
  *cookie = ++self.cookies * (uintptr_t)0x9e3779b97f4a7c15ull ^ (uintptr_t)0x5a5a5a5a;
  self.pins[self.depth] = (struct pin){object, cookie, *cookie, code};
  return self.depth++;
}

void modlink__unpin(size_t place)
{
  /* Newest first; each leaves the stack before it is dropped, so that a
     drop that frees memory never leaves a stale entry behind. */
  while (self.depth > place) {
    void *object = self.pins[--self.depth].object;
    modlink__pin_dropped(object);
  }
}

size_t modlink__pins_on(const void *object)
{
  size_t n = 0;
  for (size_t i = 0; i < self.depth; i++)
    n += self.pins[i].object == object;
  return n;
}

static void find_this_stack(void)
{
  pthread_attr_t attr;
  void *addr;
  size_t size;
  self.stack_known = true;
  if (pthread_getattr_np(pthread_self(), &attr) != 0)
    return;
  if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
    self.stack_lo = (uintptr_t)addr;
    self.stack_hi = (uintptr_t)addr + size;
  }
  pthread_attr_destroy(&attr);
}

static bool on_this_stack(uintptr_t a)
{
  return self.stack_lo <= a && a < self.stack_hi;
}

/* Reads a pin's cookie in its frame, which lies on this thread's stack
   above the caller's frame, so is mapped; but it may belong to a frame
   that reused the place (an ASan redzone, say). */
__attribute__((no_sanitize_address, noinline)) static uintptr_t
cookie_in_frame(const uintptr_t *cookie)
{
  return *(const volatile uintptr_t *)cookie;
}

/* The frame that now holds a pin's cookie, found by unwinding from here:
   is it a frame of the pinning function?  The unwinder hands each frame's
   IP with the CFA of its callee, which is the frame's own stack pointer:
   frame K's locals lie between the CFA handed with it and the one handed
   with frame K+1.  A frame that no later one bounds stays not found. */
struct search {
  uintptr_t target;
  const void *function; /* the pinning function's start */
  bool have;            /* a previous frame: */
  uintptr_t low;        /*   its stack pointer */
  uintptr_t ip;         /*   an address in its code */
  enum { NOT_FOUND, PINNING_FUNCTION, OTHER_FUNCTION } found;
};

/* The start of the function that holds PC, or NULL where no unwind
   information covers it.  The Arm EHABI unwinder (.ARM.exidx, no
   .eh_frame) has no _Unwind_FindEnclosingFunction: there the start is the
   last index entry at or below PC.  The entries are sorted by address;
   each one's first word is a prel31 offset from itself to its function. */
#ifdef __ARM_EABI_UNWINDER__
extern _Unwind_Ptr __gnu_Unwind_Find_exidx(_Unwind_Ptr pc, int *count);

static uintptr_t exidx_function(const uint32_t *entry)
{
  int32_t offset = (int32_t)(entry[0] << 1) >> 1; /* prel31, sign-extended */
  return (uintptr_t)entry + (uintptr_t)offset;
}

static const void *enclosing_function(const void *pc)
{
  int count = 0;
  const uint32_t *table =
      (const uint32_t *)__gnu_Unwind_Find_exidx((_Unwind_Ptr)pc, &count);
  if (!table || count <= 0 || exidx_function(table) > (uintptr_t)pc)
    return NULL;
  int lo = 0, hi = count - 1; /* entry lo starts at or below pc */
  while (lo < hi) {
    int mid = lo + (hi - lo + 1) / 2;
    if (exidx_function(table + 2 * mid) <= (uintptr_t)pc)
      lo = mid;
    else
      hi = mid - 1;
  }
  return (const void *)exidx_function(table + 2 * lo);
}
#else
static const void *enclosing_function(const void *pc)
{
  return _Unwind_FindEnclosingFunction((void *)pc);
}
#endif

/* The stack pointer of the frame CTX hands (the CFA of its callee).  The
   EHABI unwinder's _Unwind_GetCFA does not give it; its SP register does,
   as the unwinder restored it for that frame. */
static uintptr_t frame_stack_pointer(struct _Unwind_Context *ctx)
{
#ifdef __ARM_EABI_UNWINDER__
  return _Unwind_GetGR(ctx, 13);
#else
  return _Unwind_GetCFA(ctx);
#endif
}

static _Unwind_Reason_Code look_at_frame(struct _Unwind_Context *ctx, void *arg)
{
  struct search *s = arg;
  uintptr_t high = frame_stack_pointer(ctx);
  if (s->have && s->low <= s->target && s->target < high) {
    const void *f = enclosing_function((const void *)s->ip);
    s->found = f == s->function ? PINNING_FUNCTION : OTHER_FUNCTION;
    return _URC_END_OF_STACK;
  }
  int before = 0;
  uintptr_t ip = _Unwind_GetIPInfo(ctx, &before);
  s->have = true;
  s->low = high;
  s->ip = ip - !before; /* inside the call, not past it */
  return _URC_NO_REASON;
}

/* A pin whose cookie is intact may still be abandoned: its frame was
   reused without that word being written (a large buffer left as it was).
   The unwinder tells which frame now covers the place.  Where it cannot
   (no unwind information up to there), the pin counts as live. */
static bool reused_by_another_function(const struct pin *p)
{
  struct search s = {.target = (uintptr_t)p->cookie,
                     .function = enclosing_function(
                         (const void *)((uintptr_t)p->code - 1)), /* in the call */
                     .found = NOT_FOUND};
  if (!s.function)
    return false;
  _Unwind_Backtrace(look_at_frame, &s);
  return s.found == OTHER_FUNCTION;
}

static bool abandoned(const struct pin *p, uintptr_t here, uintptr_t floor)
{
  uintptr_t frame = (uintptr_t)p->cookie;
  if (!on_this_stack(frame))
    return false; /* on another stack (a coroutine's): nothing can be told */
  return frame < here || frame <= floor ||
         cookie_in_frame(p->cookie) != p->value ||
         reused_by_another_function(p);
}

void modlink__pins_drop_abandoned(uintptr_t floor)
{
  if (!self.depth)
    return;
  if (!self.stack_known)
    find_this_stack(); /* once per thread (pthread_getattr_np reads /proc
                          for the main thread) */
  /* Every pin older than a live one is live too (its frame lies above),
     so the abandoned ones are the newest.  The stack grows down on every
     target. */
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  if (!on_this_stack(here))
    return;
  size_t place = self.depth;
  while (place > 0 && abandoned(&self.pins[place - 1], here, floor))
    place--;
  modlink__unpin(place);
}
