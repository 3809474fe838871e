#include "adapt/data/splitter.h"

namespace adapt {

Splitter::~Splitter() = default;

}  // namespace adapt
