// The web client is embedded from web/dist: rebuild when a new client build replaces it.
fn main() {
    println!("cargo:rerun-if-changed=../../web/dist");
    println!("cargo:rerun-if-changed=build.rs");
}
