//! GTK widgets in-process, under Xvfb (`tests/run-in-session.sh`). GTK may
//! only be used from the thread that initialised it, so this crate holds
//! the GTK tests on their own and each module keeps its checks in ONE test.
//! The AT-SPI tests of the real window are the Python scripts beside
//! `markdown_view.rs` in `tests/ui/`, run by meson.

#[path = "ui/markdown_view.rs"]
mod markdown_view;
