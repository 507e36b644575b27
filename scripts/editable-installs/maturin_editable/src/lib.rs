//! A tiny C ABI for maturin's cffi bindings: `maturin_editable.lib.answer()` in Python.
//!
//! maturin runs cbindgen over this crate to write the C declarations that cffi reads, so
//! every function exported to Python is `#[no_mangle] pub extern "C"` with C types only.

/// The number Python sees. Change it, then `pip install -e` again to rebuild.
#[no_mangle]
pub extern "C" fn answer() -> i32 {
    42
}

/// `a + b`, to show that arguments cross the boundary too.
#[no_mangle]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}
