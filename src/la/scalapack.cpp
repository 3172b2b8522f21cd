// ScaLAPACK/BLACS wrappers (to be written).
