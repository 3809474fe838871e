// The Demo interface's out-of-line destructor (the vtable's home).
#include "adapt/plugin/demo.h"

namespace adapt {

Demo::~Demo() = default;

}  // namespace adapt
