// plugin_number.so: two NumberPlugins.  sum's compute() defers a note to
// show a deferred call in a virtual function of a dlopened module.
#include <algorithm>

#include "hostlog.h"
#include "plugin.hpp"

namespace {

class Sum : public host::NumberPlugin {
public:
    const char *name() const override { return "sum"; }

protected:
    long compute(const std::vector<long> &numbers) const override
    {
        modlink_defer(hostlog_end, const_cast<char *>("Sum::compute"));
        long total = 0;
        for (long n : numbers)
            total += n;
        return total;
    }
};

class Max : public host::NumberPlugin {
public:
    const char *name() const override { return "max"; }

protected:
    long compute(const std::vector<long> &numbers) const override
    {
        return *std::max_element(numbers.begin(), numbers.end());
    }
};

const Sum sum;
const Max max;

}  // namespace

HOST_PLUGIN(sum);
HOST_PLUGIN(max);
