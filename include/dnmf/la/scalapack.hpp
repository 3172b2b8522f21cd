#pragma once
/// @file ScaLAPACK/BLACS wrappers (to be written).
