#include "adapt/splitter.h"

namespace adapt {

Splitter::~Splitter() = default;

}  // namespace adapt
