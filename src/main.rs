//! The site's entry point: in the browser it mounts the app; natively it points to the README.

fn main() {
    #[cfg(target_arch = "wasm32")]
    genplay::app::mount();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("genplay is a web app: build and serve it with `bash www/serve.sh` (see README.md).");
}
