// plugin_text.so: two TextPlugins.
#include <algorithm>
#include <cctype>

#include "plugin.hpp"

namespace {

class Upper : public host::TextPlugin {
public:
    const char *name() const override { return "upper"; }

protected:
    std::string transform(const std::string &word) const override
    {
        std::string out = word;
        for (char &c : out)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return out;
    }
};

class Reverse : public host::TextPlugin {
public:
    const char *name() const override { return "reverse"; }

protected:
    std::string transform(const std::string &word) const override { return {word.rbegin(), word.rend()}; }
};

const Upper upper;
const Reverse reverse;

}  // namespace

HOST_PLUGIN(upper);
HOST_PLUGIN(reverse);
