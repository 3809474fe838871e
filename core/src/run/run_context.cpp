// RunContext: the one place where a data-parallel run differs from a single process.
#include <iostream>

#include "adapt/distributed/distributed.h"
#include "adapt/run/stages.h"

namespace adapt {

RunOptions quiet_run_options(std::ostream& log) {
  RunOptions options;
  options.out = &log;
  options.progress = false;
  options.write_files = false;
  return options;
}

RunContext::RunContext(const RunOptions& options) : options_(options) {
  if (options.distributed && options.distributed->enabled()) dist_ = options.distributed;
  main_ = !dist_ || dist_->is_main();
  out_ = !main_ ? &discard_ : options.out ? options.out : &std::cout;
  if (options.write_files) {
    resume_dir_ = options.out_dir;
    if (main_) dir_ = options.out_dir;
  }
}

DataLoaderOptions RunContext::train_loader(const DataLoaderOptions& global) const {
  if (!dist_) return global;
  const int64_t world = dist_->world_size();
  if (global.batch_size() % world != 0)
    throw OptionError("loader.batch_size: " + std::to_string(global.batch_size()) +
                      " is the global batch and must divide evenly over the " + std::to_string(world) +
                      " processes; use a multiple of " + std::to_string(world));
  DataLoaderOptions shard = global;
  shard.batch_size(global.batch_size() / world).rank(dist_->rank()).world_size(world);
  return shard;
}

void RunContext::attach(Learner& learner) const {
  if (dist_) learner.add_callback(std::make_shared<DistributedCallback>(dist_));
}

double RunContext::agree(double value, const std::string& what) const {
  return dist_ ? dist_->broadcast(value, what) : value;
}

json RunContext::describe(const DataLoaderOptions& train_loader) const {
  if (!dist_) return nullptr;
  return {{"world_size", dist_->world_size()},
          {"batch_size_per_rank", train_loader.batch_size()},
          {"validation", "full validation split on every rank"}};
}

}  // namespace adapt
