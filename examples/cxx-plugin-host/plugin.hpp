// The plugin interface of cxx-plugin-host: a class hierarchy that the
// host, its plugin library (libpluginapi.so) and every plugin share.
//
//   Plugin                     name, kind, run(args)
//   |-- TextPlugin             run() transforms each word: transform()
//   `-- NumberPlugin           run() parses numbers: compute()
//
// A plugin module defines objects of classes derived from these and
// contributes each with HOST_PLUGIN(object); the host finds them in every
// loaded module with modlink_foreach_entry("host::Plugin", ...).
#ifndef CXX_PLUGIN_HOST_PLUGIN_HPP
#define CXX_PLUGIN_HOST_PLUGIN_HPP
#include <modlink.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace host {

// What a plugin throws for bad input; the host catches it.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Plugin {
public:
    virtual ~Plugin();
    virtual const char *name() const = 0;
    virtual const char *kind() const = 0;
    virtual std::string run(const std::vector<std::string> &args) const = 0;
};

class TextPlugin : public Plugin {
public:
    const char *kind() const override;
    std::string run(const std::vector<std::string> &args) const override;

protected:
    virtual std::string transform(const std::string &word) const = 0;
};

class NumberPlugin : public Plugin {
public:
    const char *kind() const override;
    std::string run(const std::vector<std::string> &args) const override;

protected:
    virtual long compute(const std::vector<long> &numbers) const = 0;
};

}  // namespace host

// OBJECT (a static object of a class derived from host::Plugin) as this
// module's entry of kind "host::Plugin".  The entry holds a host::Plugin *.
#define HOST_PLUGIN(object) MODLINK_ENTRY("host::Plugin", static_cast<const host::Plugin *>(&(object)))

#endif
