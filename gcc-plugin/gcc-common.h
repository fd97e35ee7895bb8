/* The GCC 12 internal headers the modlink plugin uses, in the order GCC
   itself includes them.  Every plugin source includes this file first.

   The plugin is compiled once per target compiler against that compiler's
   own headers (<target-gcc> -print-file-name=plugin)/include, so target
   macros such as TARGET_64BIT or TOC_REGNUM are the target's.  */

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

#endif
