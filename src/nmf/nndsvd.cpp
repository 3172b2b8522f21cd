#include "dnmf/nmf/nndsvd.hpp"

namespace dnmf {

template <typename T>
void nndsvd_init(DistProducts<T>&, Init variant, const DataSummary&, std::uint32_t,
                 DistFactor<T>&, DistFactor<T>&) {
  throw UsageError("init: '" + to_string(variant) +
                   "' is not implemented in this build; use --init random or --init custom");
}

template void nndsvd_init<double>(DistProducts<double>&, Init, const DataSummary&, std::uint32_t,
                                  DistFactor<double>&, DistFactor<double>&);
template void nndsvd_init<float>(DistProducts<float>&, Init, const DataSummary&, std::uint32_t,
                                 DistFactor<float>&, DistFactor<float>&);

}  // namespace dnmf
