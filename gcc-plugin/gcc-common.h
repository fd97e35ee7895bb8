/* The GCC internal headers the modlink plugin uses, in the order GCC
   itself includes them, and every difference between the GCC versions it
   supports (12 to 16).  Every plugin source includes this file first; no
   other file asks which GCC it is compiled for.

   The plugin is compiled once per target compiler and GCC major, against
   that compiler's own headers (<target-gcc-N> -print-file-name=plugin)/
   include, so target macros such as TARGET_64BIT or TOC_REGNUM are the
   target's, and GCCPLUGIN_VERSION_MAJOR is N.

   Porting to a new GCC: build it (the build makes a plugin for every
   <triple>-gcc-N it finds with plugin headers), then run
   ctest -L gcc-matrix.  Where an API changed, add a shim below, keyed on
   the version that changed it, with a line saying what changed.  */

#ifndef MODLINK_GCC_COMMON_H
#define MODLINK_GCC_COMMON_H

#include "gcc-plugin.h"
#include "config.h"
#include "system.h"
#include "coretypes.h"
#include "backend.h"
#include "target.h"
#include "tree.h"
#include "rtl.h"
#include "gimple.h"
#include "tree-pass.h"
#include "context.h"
#include "memmodel.h"
#include "tm_p.h"
#include "stringpool.h"
#include "attribs.h"
/* The C family first: it sets up the diagnostic format checking.  */
#include "c-family/c-common.h"
#include "c-family/c-pragma.h"
#include "cpplib.h"
#include "diagnostic-core.h"
#include "fold-const.h"
#include "stor-layout.h"
#include "gimple-iterator.h"
#include "emit-rtl.h"
#include "insn-config.h"
#include "recog.h"
#include "rtl-iter.h"
#include "explow.h"
#include "expr.h"
#include "output.h"
#include "varasm.h"
#include "plugin-version.h"

/* ---- What differs between GCC versions ------------------------------ */

#define MODLINK_GCC_MAJOR GCCPLUGIN_VERSION_MAJOR
#if MODLINK_GCC_MAJOR < 12
#error "the modlink plugin supports GCC 12 and later"
#endif

/* GCC 16 removed the CONST_CAST macros from system.h, for const_cast.  */
#if MODLINK_GCC_MAJOR >= 16
#define CONST_CAST_RTX(X) const_cast<rtx> (X)
#endif

#endif
