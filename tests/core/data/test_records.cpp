// Records (columnar rows with origins) and Rng (seeded, derivable streams).
#include <gtest/gtest.h>

#include <set>

#include "adapt/common/rng.h"
#include "adapt/data/records.h"
#include "core/support/data_fixtures.h"

using namespace adapt;

TEST(Records, StoresRowsByColumnWithOrigins) {
  Records r({"path", "label"}, "list.csv");
  r.add_row({"a.wav", "yes"}, "list.csv:2");
  r.add_row({"b.wav", "no"});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.column("label"), (std::vector<std::string>{"yes", "no"}));
  EXPECT_EQ(r.at(1, "path"), "b.wav");
  EXPECT_EQ(r.at(0, size_t{1}), "yes");
  EXPECT_EQ(r.origin(0), "list.csv:2");
  EXPECT_EQ(r.origin(1), "list.csv row 2");  // a default origin still locates the row
  EXPECT_TRUE(r.has_column("path"));
  EXPECT_FALSE(r.has_column("text"));
  EXPECT_EQ(r.column_index("label"), 1u);
}

TEST(Records, ErrorsNameSourceAndColumns) {
  Records r({"path", "label"}, "list.csv");
  EXPECT_THROW_WITH(r.add_row({"only-one"}, "list.csv:7"), DataError, "list.csv:7", "1 fields", "2 columns");
  EXPECT_THROW_WITH(r.column("lable"), DataError, "list.csv", "\"lable\"", "\"path\", \"label\"");
  EXPECT_THROW_WITH(Records({"a", "a"}, "x.csv"), DataError, "\"a\"", "twice");
}

TEST(Records, AddColumnAndSubset) {
  Records r({"x"}, "mem");
  for (int i = 0; i < 4; ++i) r.add_row({std::to_string(i)}, "mem:" + std::to_string(i));
  r.add_column("y", {"a", "b", "c", "d"});
  EXPECT_THROW_WITH(r.add_column("z", {"1"}), DataError, "\"z\"", "1 values", "4 rows");
  EXPECT_THROW(r.add_column("y", {"1", "2", "3", "4"}), DataError);

  Records s = r.subset({3, 1});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.column("y"), (std::vector<std::string>{"d", "b"}));
  EXPECT_EQ(s.origin(0), "mem:3");
  EXPECT_EQ(s.source(), "mem");
  EXPECT_THROW(r.subset({9}), DataError);

  Records fresh({}, "new");
  fresh.add_column("a", {"1", "2"});
  EXPECT_EQ(fresh.size(), 2u);
}

TEST(Records, SplitNames) {
  EXPECT_STREQ(to_string(Split::train), "train");
  EXPECT_STREQ(to_string(Split::valid), "valid");
  EXPECT_STREQ(to_string(Split::test), "test");
  EXPECT_STREQ(to_string(Split::predict), "predict");
}

TEST(Rng, SameSeedSameStreamAndDerivedStreamsDiffer) {
  Rng a(7), b(7), c(8);
  std::vector<double> va, vb, vc;
  for (int i = 0; i < 5; ++i) {
    va.push_back(a.uniform());
    vb.push_back(b.uniform());
    vc.push_back(c.uniform());
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
  // derive depends only on (seed, stream), not on how much the parent was used.
  Rng used(7);
  used.uniform();
  EXPECT_EQ(Rng(7).derive(3).seed(), used.derive(3).seed());
  std::set<uint64_t> seeds;
  for (uint64_t epoch = 0; epoch < 10; ++epoch)
    for (uint64_t batch = 0; batch < 10; ++batch) seeds.insert(Rng(42).derive(epoch).derive(batch).seed());
  EXPECT_EQ(seeds.size(), 100u);
}

TEST(Rng, DistributionsStayInRangeWithPlausibleMoments) {
  Rng rng(123);
  double sum = 0, sum_sq = 0, normal_sum = 0, normal_sq = 0;
  std::vector<int> counts(5, 0);
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform(2.0, 4.0);
    ASSERT_GE(u, 2.0);
    ASSERT_LT(u, 4.0);
    sum += u;
    sum_sq += u * u;
    const double z = rng.normal(1.0, 2.0);
    normal_sum += z;
    normal_sq += z * z;
    const int64_t k = rng.integer(-2, 3);
    ASSERT_GE(k, -2);
    ASSERT_LT(k, 3);
    ++counts[static_cast<size_t>(k + 2)];
  }
  EXPECT_NEAR(sum / n, 3.0, 0.02);
  EXPECT_NEAR(sum_sq / n - (sum / n) * (sum / n), 4.0 / 12.0, 0.02);  // U(a, b): variance (b - a)^2 / 12
  const double normal_mean = normal_sum / n;
  EXPECT_NEAR(normal_mean, 1.0, 0.05);
  EXPECT_NEAR(std::sqrt(normal_sq / n - normal_mean * normal_mean), 2.0, 0.05);
  for (int c : counts) EXPECT_NEAR(c, n / 5, 250);
  EXPECT_THROW(rng.integer(3, 3), Error);
  EXPECT_TRUE(rng.bernoulli(1.0));
  EXPECT_FALSE(rng.bernoulli(0.0));
}

TEST(Rng, TorchGeneratorIsSeededFromTheStream) {
  Rng a(5), b(5), c(6);
  auto ta = torch::randn({8}, a.generator());
  auto tb = torch::randn({8}, b.generator());
  auto tc = torch::randn({8}, c.generator());
  EXPECT_TRUE(torch::equal(ta, tb));
  EXPECT_FALSE(torch::equal(ta, tc));
}
