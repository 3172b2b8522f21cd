// The pure parts of select-k (nmf/rank_selection.hpp): the assignment against every
// permutation, the hold-out hash's fraction, the summary and the rules.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "dnmf/nmf/rank_selection.hpp"

namespace dnmf {
namespace {

TEST(RankSelection, AssignmentIsTheBestOfEveryPermutation) {
  std::mt19937 gen(5);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int n = 1; n <= 7; ++n) {
    for (int trial = 0; trial < 20; ++trial) {
      Matrix<double> score(n, n);
      for (std::int64_t e = 0; e < score.size(); ++e) score.data()[e] = u(gen);
      std::vector<std::int64_t> perm(static_cast<std::size_t>(n));
      std::iota(perm.begin(), perm.end(), 0);
      double best = -1e300;
      do {
        double s = 0;
        for (int i = 0; i < n; ++i) s += score(i, perm[i]);
        best = std::max(best, s);
      } while (std::next_permutation(perm.begin(), perm.end()));
      const std::vector<std::int64_t> got = best_assignment(score);
      std::vector<std::int64_t> sorted = got;
      std::sort(sorted.begin(), sorted.end());
      for (int i = 0; i < n; ++i) ASSERT_EQ(sorted[i], i);  // a permutation
      double s = 0;
      for (int i = 0; i < n; ++i) s += score(i, got[i]);
      EXPECT_NEAR(s, best, 1e-12) << "n=" << n << " trial " << trial;
    }
  }
}

TEST(RankSelection, MatchedSimilaritiesFindPermutedComponents) {
  Matrix<double> ref(3, 4), h(3, 4);
  const double rows[3][4] = {{1, 0, 0, 1}, {0, 2, 0, 0}, {0, 0, 3, 1}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      ref(i, j) = rows[i][j];
      h((i + 1) % 3, j) = 5 * rows[i][j];  // permuted and scaled: similarity 1 each
    }
  for (double s : matched_similarities(ref, h)) EXPECT_NEAR(s, 1.0, 1e-15);
}

TEST(RankSelection, HeldOutFractionAndIndependenceOfReplicates) {
  std::int64_t held = 0, both = 0;
  const int n = 300, p = 200;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < p; ++j) {
      const bool a = held_out(0, 0, i, j, 0.2), b = held_out(0, 1, i, j, 0.2);
      held += a;
      both += a && b;
    }
  EXPECT_NEAR(static_cast<double>(held) / (n * p), 0.2, 0.005);
  EXPECT_NEAR(static_cast<double>(both) / (n * p), 0.04, 0.004);  // independent patterns
}

TEST(RankSelection, SummaryAndRules) {
  std::vector<TaskResult> tasks;
  const double test[3][2] = {{5.0, 5.2}, {3.0, 3.4}, {2.9, 3.3}};  // k = 2, 3, 4
  for (int k = 4; k >= 2; --k)
    for (int r = 1; r >= 0; --r) {
      TaskResult t;
      t.k = k;
      t.replicate = r;
      t.test_error = test[k - 2][r];
      t.train_error = 1;
      t.components = Matrix<double>(k, 3, 1.0);
      tasks.push_back(t);
    }
  const std::vector<KSummary> table = summarize(tasks);
  ASSERT_EQ(table.size(), 3u);
  EXPECT_EQ(tasks.front().k, 2);  // sorted by (k, replicate)
  EXPECT_EQ(tasks.front().replicate, 0);
  EXPECT_NEAR(table[2].test_mean, 3.1, 1e-15);
  EXPECT_NEAR(table[2].test_se, 0.2, 1e-15);  // std(ddof=1) = 0.2828, / sqrt(2)
  std::int64_t best = 0;
  EXPECT_EQ(choose_k(table, KRule::one_standard_error, &best), 3);  // 3.2 <= 3.1 + 0.2
  EXPECT_EQ(best, 4);
  EXPECT_EQ(choose_k(table, KRule::minimum), 4);
  EXPECT_TRUE(std::isnan(tasks.front().stability));  // replicate 0 is the reference
  EXPECT_NEAR(tasks[1].stability, 1.0, 1e-15);
}

}  // namespace
}  // namespace dnmf
