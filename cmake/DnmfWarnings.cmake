# Warning flags as an INTERFACE target, linked privately by everything we build.
add_library(dnmf_warnings INTERFACE)
add_library(dnmf::warnings ALIAS dnmf_warnings)
target_compile_options(dnmf_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                               $<$<BOOL:${DNMF_WERROR}>:-Werror>)
