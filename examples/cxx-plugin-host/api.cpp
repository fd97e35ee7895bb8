// The C++ half of libpluginapi.so: the classes' key functions, so that
// their vtables and type_info live here once, for dynamic_cast and catch
// across modules.
#include <cstdlib>

#include "plugin.hpp"

namespace host {

Plugin::~Plugin() = default;

const char *TextPlugin::kind() const { return "text"; }

std::string TextPlugin::run(const std::vector<std::string> &args) const
{
    std::string out;
    for (const std::string &word : args)
        out += (out.empty() ? "" : " ") + transform(word);
    return out;
}

const char *NumberPlugin::kind() const { return "number"; }

std::string NumberPlugin::run(const std::vector<std::string> &args) const
{
    std::vector<long> numbers;
    for (const std::string &word : args) {
        char *end;
        long n = std::strtol(word.c_str(), &end, 10);
        if (word.empty() || *end)
            throw Error("'" + word + "' is not a number");
        numbers.push_back(n);
    }
    if (numbers.empty())
        throw Error(std::string(name()) + " needs at least one number");
    return std::to_string(compute(numbers));
}

}  // namespace host
