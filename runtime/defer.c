/* Go-style defer: the per-thread record stack behind modlink_defer and
 * modlink_deferreturn.
 *
 * The plugin gives every function F that calls modlink_defer a frame word,
 * a pointer-sized local set to 0 on entry, and lowers
 *
 *   modlink_defer(fn, arg)   to  modlink__defer(&frame_word, fn, arg)
 *   return x;                to  if (frame_word) modlink_deferreturn(&frame_word);
 *                                return x;
 *
 * The address of the frame word names F's activation: it is fixed for the
 * activation's lifetime whatever F does to its stack pointer (pushes around
 * calls at -O0 on i386, alloca, VLAs), and distinct from every other live
 * activation's.  The word itself says whether this activation deferred
 * yet, which tells a fresh activation from a dead one (left by longjmp)
 * that had the same address.
 *
 * modlink_deferreturn (runtime-asm/<arch>/deferreturn.S) asks
 * modlink__deferreturn_next for F's next call, then jumps to it with its
 * return address rewound to the paired call site, as Go's jmpdefer did.
 * F's last call, when the target allows, keeps the return address as it
 * is: it returns past the call site, as modlink_deferreturn would have.
 * When the deferred function returns there, the call runs again, with
 * whatever the deferred function left in the argument registers: the
 * frame word's address is only valid on the first entry.  So the record
 * of the running call stays on the stack as a marker holding F's frame,
 * found again on the next entry by the call site's return address and
 * stack pointer, which are the same on every re-execution.
 *
 * Dead records.  longjmp out of F, and exit, skip F's pending calls, and
 * nothing tells the runtime.  A record is dead when its frame is:
 *   - below the stack pointer of a running function: every function called
 *     from there has returned or was left;
 *   - equal to the frame of an activation that had not deferred yet;
 *   - below F's frame and above F's newest record when F returns.
 * Records are dropped on those rules as they surface at the top, so that a
 * longjmp loop does not grow the stack.  The stack of one thread lives on
 * that thread's stack only: signal handlers on an alternate stack and
 * coroutine stack switches must not defer (see docs/design.md). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defer.h"
#include "instance.h"

/* A pending call, or the marker of a running one.  The low bit of frame
   flags the activation's first record: returning from that one ends F's
   deferreturn sequence. */
struct record {
  uintptr_t frame;     /* address of the activation's frame word | FIRST */
  void (*fn)(void *);  /* NULL while the call runs (a marker) */
  union {
    void *arg;         /* pending: the argument */
    uintptr_t ret;     /* running: the paired call's return address */
  } u;
  uintptr_t sp;        /* running: the stack pointer at the paired call */
};

#define FIRST ((uintptr_t)1)
#define INLINE_RECORDS 32

struct thread_defers {
  struct record *records; /* inline_records, or a heap array when deeper */
  size_t height, capacity;
  struct modlink__deferred next; /* handed to the assembly, read at once */
  struct record inline_records[INLINE_RECORDS];
};

/* Each thread's state is allocated on its first defer and freed when it
   exits.  Only this pointer is thread-local, in the initial-exec model: one
   instruction to reach, and 8 bytes, which the loader's static TLS reserve
   holds even when libmodlink.so is dlopened. */
static __thread struct thread_defers *current
    __attribute__((tls_model("initial-exec")));

static uintptr_t frame_of(const struct record *r) { return r->frame & ~FIRST; }

static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void free_thread_defers(void *p)
{
  struct thread_defers *t = p;
  if (t->records != t->inline_records)
    free(t->records);
  free(t);
  current = NULL; /* a later destructor that defers starts afresh */
}

static void make_thread_key(void)
{
  if (pthread_key_create(&thread_key, free_thread_defers) != 0) {
    modlink__complain("cannot create the thread key for deferred calls");
    abort();
  }
}

__attribute__((noinline, cold)) static struct thread_defers *first_defer(void)
{
  pthread_once(&thread_key_once, make_thread_key);
  struct thread_defers *t = malloc(sizeof *t);
  if (!t) {
    modlink__complain("out of memory for the deferred calls of a thread");
    abort();
  }
  t->records = t->inline_records;
  t->height = 0;
  t->capacity = INLINE_RECORDS;
  pthread_setspecific(thread_key, t);
  return current = t;
}

__attribute__((noinline)) static void grow(struct thread_defers *t)
{
  size_t capacity = t->capacity * 2;
  struct record *heap;
  if (t->records == t->inline_records) {
    heap = malloc(capacity * sizeof *heap);
    if (heap)
      memcpy(heap, t->records, t->height * sizeof *heap);
  } else {
    heap = realloc(t->records, capacity * sizeof *heap);
  }
  if (!heap) {
    modlink__complain("out of memory for %zu deferred calls", capacity);
    abort();
  }
  t->records = heap;
  t->capacity = capacity;
}

static inline struct thread_defers *this_thread(void)
{
  struct thread_defers *t = current;
  return __builtin_expect(t != NULL, 1) ? t : first_defer();
}

/* The new height once the records of frames below LIMIT are dropped. */
static size_t height_above(const struct thread_defers *t, size_t h,
                           uintptr_t limit)
{
  while (h && frame_of(&t->records[h - 1]) < limit)
    h--;
  return h;
}

MODLINK_API void modlink__defer(uintptr_t *frame_word, void (*fn)(void *),
                                void *arg)
{
  struct thread_defers *t = this_thread();
  uintptr_t frame = (uintptr_t)frame_word;
  /* Our own frame lies below the caller's stack pointer. */
  size_t h = height_above(t, t->height, (uintptr_t)__builtin_frame_address(0));
  uintptr_t first = 0;
  if (*frame_word == 0) {
    /* A fresh activation: records with its frame belong to a dead one. */
    while (h && frame_of(&t->records[h - 1]) == frame)
      h--;
    *frame_word = 1;
    first = FIRST;
  }
  t->height = h;
  if (__builtin_expect(h == t->capacity, 0))
    grow(t);
  struct record *r = &t->records[t->height++];
  r->frame = frame | first;
  r->fn = fn;
  r->u.arg = arg;
  r->sp = 0;
}

static int is_marker_of(const struct record *r, uintptr_t ret, uintptr_t sp)
{
  return r->fn == NULL && r->u.ret == ret && r->sp == sp;
}

/* Hands R, the top record at height H, to the assembly: F's last call
   leaves the stack (it returns straight past the call site, as if
   modlink_deferreturn had returned, which saves an entry); any other
   becomes the marker of the running call. */
static inline const struct modlink__deferred *
take(struct thread_defers *t, struct record *r, size_t h, uintptr_t ret,
     uintptr_t sp, int may_return_past)
{
  t->next.fn = r->fn;
  t->next.arg = r->u.arg;
  if ((r->frame & FIRST) && may_return_past) {
    t->next.last = 1;
    t->height = h - 1;
    return &t->next;
  }
  t->next.last = 0;
  r->fn = NULL;
  r->u.ret = ret;
  r->sp = sp;
  t->height = h;
  return &t->next;
}

const struct modlink__deferred *
modlink__deferreturn_next(uintptr_t *frame_word, uintptr_t ret, uintptr_t sp,
                          int may_return_past)
{
  struct thread_defers *t = this_thread();
  uintptr_t frame = (uintptr_t)frame_word;
  size_t h = t->height;

  /* The common first entry: F's newest record is on top.  (On a re-entry
     the top is F's marker, or a dead record below the call's stack
     pointer, so a stray argument cannot match here.) */
  if (__builtin_expect(h != 0, 1)) {
    struct record *r = &t->records[h - 1];
    if (frame_of(r) == frame && r->fn)
      return take(t, r, h, ret, sp, may_return_past);
  }

  /* The common re-entry: back at the call site from a deferred call that
     was not F's last.  Its marker is on top and F's next pending record
     right below it: what the general path below finds, in fewer steps. */
  if (__builtin_expect(h >= 2, 1)) {
    struct record *m = &t->records[h - 1];
    if (is_marker_of(m, ret, sp) && !(m->frame & FIRST)) {
      struct record *r = m - 1;
      if (frame_of(r) == frame_of(m) && r->fn)
        return take(t, r, h - 1, ret, sp, may_return_past);
    }
  }

  /* What the deferred function (and anything it called) left is dead. */
  h = height_above(t, h, sp);
  if (h && is_marker_of(&t->records[h - 1], ret, sp)) {
    /* Back at the call site from a deferred call: it is done. */
    const struct record *done = &t->records[--h];
    frame = frame_of(done);
    t->height = h;
    if (done->frame & FIRST)
      return NULL;
  } else if (__builtin_expect(!frame, 0)) {
    return NULL;
  }

  /* F's newest pending record, above which only dead frames (below F's)
     may lie.  Nothing changes unless it is found: a call written by hand
     with a stray argument must not drop anybody's records. */
  h = height_above(t, h, frame);
  if (!h || frame_of(&t->records[h - 1]) != frame)
    return NULL;
  if (!t->records[h - 1].fn) {
    /* F's marker, seen from another call site of F (with F's own frame
       word, so not a call written by hand): its call did not return but
       threw, and F's exception cleanup runs the calls left. */
    const struct record *threw = &t->records[--h];
    t->height = h;
    if (threw->frame & FIRST)
      return NULL;
    if (!h || frame_of(&t->records[h - 1]) != frame || !t->records[h - 1].fn)
      return NULL;
  }
  return take(t, &t->records[h - 1], h, ret, sp, may_return_past);
}

/* A deferred call threw while an exception was unwinding: the plugin's
   exception cleanup calls this, as C++ calls std::terminate for a
   destructor that throws then.  std::terminate is reached through a weak
   reference, so that C programs need no C++ runtime. */
extern void _ZSt9terminatev(void) __attribute__((weak, noreturn));

MODLINK_API void modlink__terminate(void)
{
  if (_ZSt9terminatev)
    _ZSt9terminatev();
  modlink__complain("a deferred call threw while an exception was unwinding");
  abort();
}

/* Reached only when the call was not lowered by the plugin (through a
   function pointer, or compiled with -fplugin-arg-modlink-defer=off): there
   is no frame to run the call at, and running it never would be worse. */
MODLINK_API void modlink_defer(void (*fn)(void *), void *arg)
{
  (void)fn;
  (void)arg;
  fprintf(stderr, "modlink: modlink_defer called at %p without the plugin's "
                  "lowering; compile the caller with modlink-cc\n",
          __builtin_return_address(0));
  abort();
}
