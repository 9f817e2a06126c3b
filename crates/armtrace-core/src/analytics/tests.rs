//! Hand-computed figures on small registers.
