//! The window's side of [`super::INTERFACE`]: registers the object on the
//! GApplication's session-bus connection and answers from the engine (its
//! calls run on relm4's tokio runtime; the answer is sent from the main
//! loop).

use relm4::gtk::gio;
use relm4::gtk::glib;
use relm4::gtk::prelude::*;
use valechat_core::chat::{Engine, LocalModelError};

use super::{INTROSPECTION, LoadedRow, errors, object_path, unix_ms};

/// Exports the interface for `engine` on the running application's
/// session-bus connection. Logged and skipped when the application has no
/// connection (no session bus) or the path is taken; the window works on.
pub fn register(engine: &Engine) {
    let app = relm4::main_application();
    let Some(connection) = app.dbus_connection() else {
        tracing::info!("no session bus: the loaded models are not shared with the CLI");
        return;
    };
    let info = match gio::DBusNodeInfo::for_xml(INTROSPECTION) {
        Ok(node) => node.lookup_interface(super::INTERFACE),
        Err(e) => {
            tracing::warn!("the LocalModels interface's XML: {e}");
            return;
        }
    };
    let Some(info) = info else {
        tracing::warn!("the LocalModels interface is missing from its XML");
        return;
    };
    let engine = engine.clone();
    let path = object_path();
    let registered = connection
        .register_object(&path, &info)
        .method_call(
            move |_connection, _sender, _path, _interface, method, params, invocation| {
                answer(engine.clone(), method, &params, invocation);
            },
        )
        .build();
    match registered {
        // Kept for the application's lifetime: never unregistered.
        Ok(_) => tracing::debug!("LocalModels exported at {path}"),
        Err(e) => tracing::warn!("could not export the loaded models at {path}: {e}"),
    }
}

/// Runs `method` on the engine and answers `invocation`.
fn answer(
    engine: Engine,
    method: &str,
    params: &glib::Variant,
    invocation: gio::DBusMethodInvocation,
) {
    match method {
        "ListLoaded" => {
            let work = relm4::spawn(async move { engine.loaded_local_models().await });
            glib::spawn_future_local(async move {
                match work.await {
                    Ok(Ok(models)) => {
                        let rows: Vec<_> = models
                            .into_iter()
                            .map(|m| {
                                LoadedRow {
                                    id: m.id,
                                    path: m.path.to_string_lossy().into_owned(),
                                    memory_bytes: m.memory_bytes,
                                    weights_bytes: m.weights_bytes,
                                    context_length: m.context_length,
                                    gpu_layers: m.gpu_layers,
                                    loaded_at_ms: unix_ms(m.loaded_at),
                                    last_used_ms: m.last_used.map(unix_ms),
                                }
                                .to_tuple()
                            })
                            .collect();
                        invocation.return_value(Some(&(rows,).to_variant()));
                    }
                    Ok(Err(e)) => fail(invocation, &e),
                    Err(e) => invocation.return_dbus_error(errors::FAILED, &e.to_string()),
                }
            });
        }
        "Unload" => {
            let Some((id,)) = params.get::<(String,)>() else {
                invocation.return_dbus_error(
                    "org.freedesktop.DBus.Error.InvalidArgs",
                    "Unload takes the model id (a string)",
                );
                return;
            };
            let work = relm4::spawn(async move { engine.unload_local_model(&id).await });
            glib::spawn_future_local(async move {
                match work.await {
                    Ok(Ok(())) => invocation.return_value(None),
                    Ok(Err(e)) => fail(invocation, &e),
                    Err(e) => invocation.return_dbus_error(errors::FAILED, &e.to_string()),
                }
            });
        }
        other => invocation.return_dbus_error(
            "org.freedesktop.DBus.Error.UnknownMethod",
            &format!("no method {other}"),
        ),
    }
}

fn fail(invocation: gio::DBusMethodInvocation, error: &LocalModelError) {
    let name = match error {
        LocalModelError::NotLoaded(_) => errors::NOT_LOADED,
        LocalModelError::NotInThisBuild => errors::NOT_IN_THIS_BUILD,
        _ => errors::FAILED,
    };
    invocation.return_dbus_error(name, &error.to_string());
}
