// modlink_defer in C++: lowered in functions, member functions (plain,
// static, virtual), lambdas, templates (each instantiation) and inline
// functions; and what an exception does to a deferring function: its
// pending calls run, last deferred first, after its destructors, and the
// exception goes on (nested try blocks, rethrow, a deferred call that
// throws at a normal return); noexcept functions.  Built on both paths
// (open-coded, and the runtime's with -fplugin-arg-modlink-open-coded=off).
//
//   cxx_semantics            the checks; prints "cxx: ok"
//   cxx_semantics terminate  a deferred call throws while an exception
//                            unwinds: std::terminate, as for a destructor
//   cxx_semantics noexcept   an exception tries to leave a noexcept function
//                            that deferred: std::terminate, before the
//                            function's pending calls run
//   cxx_semantics exit       exit() skips the pending calls
#include <modlink.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "check.h"
#include "trace.h"

#define NOINLINE __attribute__((noinline, noclone))
#define S(text) const_cast<char *>(text)

// ---- where modlink_defer is lowered --------------------------------------
NOINLINE static void plain()
{
  modlink_defer(note, S("a"));
  modlink_defer(note, S("b"));
  note(S("-"));
}

struct Widget {
  int value = 5;
  NOINLINE int member(int x)
  {
    modlink_defer(note, S("m"));
    value += x;
    return value;
  }
  NOINLINE static void static_member() { modlink_defer(note, S("s")); }
  NOINLINE virtual void virt() { modlink_defer(note, S("v")); }
  virtual ~Widget() {}
};

struct Derived : Widget {
  NOINLINE void virt() override
  {
    modlink_defer(note, S("V"));
    Widget::virt();
  }
};

template <typename T> NOINLINE T twice(T x)
{
  modlink_defer(note, S(sizeof(T) == 1 ? "1" : "8"));
  return x + x;
}

inline int inline_fn(int x)
{
  modlink_defer(note, S("i"));
  return x + 1;
}

NOINLINE static int calls_inline(int x)
{
  modlink_defer(note, S("I"));
  return inline_fn(x) + inline_fn(x);
}

NOINLINE static int with_lambdas(int x)
{
  auto doubled = [](int y) {
    modlink_defer(note, S("L"));
    return y * 2;
  };
  // A lambda as the deferred function.
  modlink_defer([](void *p) { note(p); }, S("c"));
  return doubled(x);
}

NOINLINE static int in_a_loop(int n)
{
  for (int i = 0; i < n; i++)
    modlink_defer(note, S(i == 0 ? "0" : i == 1 ? "1" : "2"));
  return n;
}

// ---- exceptions ----------------------------------------------------------
struct Raii {
  const char *text;
  ~Raii() { note(S(text)); }
};

NOINLINE static void thrower(const char *what) { throw std::runtime_error(what); }

static void sees_42(void *p) { note(S(*static_cast<int *>(p) == 42 ? "4" : "X(local lost)")); }

NOINLINE static void defers_then_throws()
{
  int local = 42;
  modlink_defer(note, S("1"));
  modlink_defer(sees_42, &local);
  thrower("x");
  modlink_defer(note, S("X(never deferred)"));
}

NOINLINE static void loop_defers_then_throws(int n)
{
  for (int i = 0; i < n; i++)
    modlink_defer(note, S(i == 0 ? "0" : i == 1 ? "1" : "2"));
  thrower("loop");
}

NOINLINE static void inner_throws()
{
  modlink_defer(note, S("i"));
  thrower("inner");
}

NOINLINE static void nested_try()
{
  modlink_defer(note, S("o"));
  try {
    try {
      inner_throws();
    } catch (const std::logic_error &) {
      note(S("X(wrong handler)"));
    }
  } catch (const std::runtime_error &) {
    note(S("c"));
  }
  note(S("b"));
}

NOINLINE static void rethrows()
{
  modlink_defer(note, S("r"));
  try {
    thrower("again");
  } catch (...) {
    note(S("h"));
    throw;
  }
}

// Destructors first, then the deferred calls: on a return and on a throw.
NOINLINE static void raii_and_defer(bool do_throw)
{
  modlink_defer(note, S("f"));
  Raii guard{"d"};
  if (do_throw)
    thrower("raii");
  note(S("-"));
}

NOINLINE static int nothrow_fn(int x) noexcept
{
  modlink_defer(note, S("n"));
  return x + 1;
}

// A deferred call that throws at a normal return: the calls deferred
// before it still run, and the exception leaves the function.
static void throws_deferred(void *) { note(S("T")); throw std::runtime_error("deferred"); }

NOINLINE static void deferred_throws()
{
  modlink_defer(note, S("a"));
  modlink_defer(throws_deferred, nullptr);
  modlink_defer(note, S("b"));
  note(S("-"));
}

NOINLINE static void deferred_throws_in_loop(int n)
{
  for (int i = 0; i < n; i++)
    modlink_defer(i == 1 ? throws_deferred : note, S(i == 0 ? "a" : "b"));
  note(S("-"));
}

// Deferred calls that defer and catch inside, while an exception unwinds.
static void catches_inside(void *)
{
  modlink_defer(note, S("k"));
  try {
    thrower("inside");
  } catch (...) {
    note(S("K"));
  }
}

NOINLINE static void unwinding_runs_a_catching_defer()
{
  modlink_defer(catches_inside, nullptr);
  thrower("outer");
}

template <typename F> static void expect_caught(F f)
{
  try {
    f();
    note(S("X(nothing thrown)"));
  } catch (const std::runtime_error &) {
    note(S("C"));
  }
}

static int run()
{
  EXPECT_TRACE(plain(), "-ba");
  Widget w;
  EXPECT_TRACE(CHECK(w.member(3) == 8), "m");
  EXPECT_TRACE(Widget::static_member(), "s");
  Derived d;
  Widget *wp = &d;
  EXPECT_TRACE(wp->virt(), "vV");
  EXPECT_TRACE(CHECK(twice<char>(3) == 6), "1");
  EXPECT_TRACE(CHECK(twice<long long>(21) == 42), "8");
  EXPECT_TRACE(CHECK(calls_inline(1) == 4), "iiI");
  EXPECT_TRACE(CHECK(with_lambdas(4) == 8), "Lc");
  EXPECT_TRACE(CHECK(in_a_loop(3) == 3), "210");

  EXPECT_TRACE(expect_caught(defers_then_throws), "41C");
  EXPECT_TRACE(expect_caught([] { loop_defers_then_throws(3); }), "210C");
  EXPECT_TRACE(nested_try(), "icbo");
  EXPECT_TRACE(expect_caught(rethrows), "hrC");
  EXPECT_TRACE(raii_and_defer(false), "-df");
  EXPECT_TRACE(expect_caught([] { raii_and_defer(true); }), "dfC");
  EXPECT_TRACE(CHECK(nothrow_fn(1) == 2), "n");
  EXPECT_TRACE(expect_caught(deferred_throws), "-bTaC");
  EXPECT_TRACE(expect_caught([] { deferred_throws_in_loop(3); }), "-bTaC");
  EXPECT_TRACE(expect_caught(unwinding_runs_a_catching_defer), "KkC");
  EXPECT_TRACE(plain(), "-ba");  // after all that
  return check_failures;
}

// A deferred call that throws while an exception unwinds ends the program.
NOINLINE static void throws_while_unwinding()
{
  modlink_defer(throws_deferred, nullptr);
  thrower("first");
}

[[gnu::noinline]] static void noexcept_escape() noexcept
{
  modlink_defer(note, S("X(ran before terminate)"));
  thrower("escapes");
}

static void must_not_run(void *s)
{
  printf("%s\n", static_cast<const char *>(s));
  fflush(stdout);
}

NOINLINE static void exits()
{
  modlink_defer(must_not_run, S("FAIL: a deferred call ran at exit"));
  printf("exit: leaving\n");
  fflush(stdout);
  exit(0);
}

int main(int argc, char **argv)
{
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "terminate") {
    std::set_terminate([] {
      printf("terminate: called\n");
      fflush(stdout);
      _exit(0);
    });
    try {
      throws_while_unwinding();
    } catch (...) {
      printf("FAIL: the exception was caught\n");
    }
    return 1;
  }
  if (mode == "noexcept") {
    trace_reset();
    std::set_terminate([] {
      printf("terminate: called, trace [%s]\n", trace);
      fflush(stdout);
      _exit(0);
    });
    noexcept_escape();
    return 1;
  }
  if (mode == "exit") {
    modlink_defer(must_not_run, S("FAIL: the caller's deferred call ran at exit"));
    exits();
  }
  int failures = run();
  if (failures == 0)
    printf("cxx: ok\n");
  return failures != 0;
}
