//! The cases are built into the binary (`include_dir!` in `src/case.rs`), which notices edits to
//! the files it embedded but not a case file added or removed: rebuild on any change under
//! `cases/`.

fn main() {
    println!("cargo:rerun-if-changed=cases");
}
