//! A bare GTK 4 + libadwaita window with a header bar: the baseline that
//! `benches/startup.sh` measures ValeChat against (same crates, same
//! build profile).

use relm4::adw::prelude::*;
use relm4::{adw, gtk};

fn main() -> gtk::glib::ExitCode {
    let app = adw::Application::builder()
        .application_id("io.github.valechat.BareWindow")
        .build();
    app.connect_activate(|app| {
        let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
        content.append(&adw::HeaderBar::new());
        let window = adw::ApplicationWindow::builder()
            .application(app)
            .title("Bare Window")
            .default_width(1000)
            .default_height(720)
            .content(&content)
            .build();
        window.present();
    });
    app.run_with_args::<&str>(&[])
}
