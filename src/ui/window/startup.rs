//! Opening the engine at launch, and the window's actions.

use std::sync::Arc;

use relm4::gtk::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::{
    AboutAction, AddProviderAction, BillingAction, ExportAllAction, ImportAction,
    ModelPickerAction, NewConversationAction, NextConversationAction, PreferencesAction,
    PreviousConversationAction, QuitAction, SearchAction, ShortcutsAction, ShowServersAction,
    StopAction, Window, WindowActions, WindowCommand, WindowInput, messages::LearnedEra,
};
use crate::ui::elicitation::DialogElicitor;
use crate::ui::questions::{DialogApprover, QuestionsInput};
use valechat_core::chat::{Engine, EngineError, ToolSettings};
use valechat_core::mcp::oauth::{LoopbackAuthorizer, OAuthSettings, OpenUrl, SignInObserver};
use valechat_core::mcp::{ClientHooks, McpServers, McpToolBox};
use valechat_core::paths;
use valechat_core::secrets::{KeyStore, LazyKeyStore};
use valechat_core::store::{Conversation, Provider, Store};

/// What the window needs once the engine is open.
#[derive(Debug)]
pub struct Loaded {
    /// The engine over the user's database and keyring.
    pub engine: Engine,
    /// Configured providers.
    pub providers: Vec<Provider>,
    /// Conversations, newest first.
    pub conversations: Vec<Conversation>,
    /// How many models the library of models on this computer holds.
    pub local_models: usize,
    /// The MCP servers, starting in the background.
    pub servers: McpServers,
}

/// Opens the database (running migrations) and reads the lists the window
/// shows first. The keyring is reached only when a key is needed, so start-up
/// never waits on it. Enabled MCP servers start in the background; their
/// tools are offered once ready; each call's approval, servers' sampling
/// and elicitation requests and sign-ins go to `questions` (the
/// [`Questions`](crate::ui::questions::Questions) component), what
/// servers tell the window (updated resources, learned protocol eras) to
/// `window`; servers see `roots` (the folders of the conversation
/// shown).
pub async fn load(
    questions: relm4::Sender<QuestionsInput>,
    window: relm4::Sender<WindowInput>,
    roots: valechat_core::mcp::RootsSource,
) -> Result<Loaded, String> {
    let approver = DialogApprover::new(questions.clone());
    let path = paths::database_path().map_err(|e| e.to_string())?;
    let store = Store::open(&path)
        .await
        .map_err(|e| EngineError::from(e).user_message())?;
    let keys: Arc<dyn KeyStore> = Arc::new(LazyKeyStore::new());
    let conversations = store
        .list_conversations_for(valechat_core::store::Listing::Active)
        .await
        .map_err(|e| EngineError::from(e).user_message())?;
    let local_models = store
        .local_models()
        .await
        .map_err(|e| EngineError::from(e).user_message())?
        .len();
    let sampler = valechat_core::mcp::EngineSampler::new(Arc::new(approver.clone()));
    let asks = questions.clone();
    let elicitor = DialogElicitor::new(Arc::new(move |ask| {
        asks.emit(QuestionsInput::Elicit(Box::new(ask)));
    }));
    let updates = window.clone();
    let hooks = ClientHooks {
        sampling: Some(sampler.clone()),
        roots,
        elicitor: Some(Arc::new(elicitor)),
        oauth: Some(oauth_settings(&keys, questions)),
        on_resource_updated: Some(Arc::new(move |server: &str, uri: &str| {
            updates.emit(super::WindowInput::ResourceUpdated(
                server.to_owned(),
                uri.to_owned(),
            ));
        })),
        ..ClientHooks::default()
    };
    let servers = start_servers(&store, &keys, hooks, window).await;
    let tools = ToolSettings::new(
        Arc::new(McpToolBox::new(servers.clone())),
        Arc::new(approver),
    );
    // "On this computer" writes its provider row, so the list comes after.
    let engine = crate::offer_local_models(Engine::new(store, keys).with_tools(tools))
        .await
        .map_err(|e| e.user_message())?;
    let providers = engine
        .store()
        .list_providers()
        .await
        .map_err(|e| EngineError::from(e).user_message())?;
    // Replies a killed ValeChat left streaming become estimated usage.
    if let Err(e) = engine.settle_interrupted().await {
        tracing::warn!("could not record interrupted requests: {e}");
    }
    sampler.set_engine(engine.clone());
    Ok(Loaded {
        engine,
        providers,
        conversations,
        local_models,
        servers,
    })
}

/// Shows page `name` of the window's stack. The pages are built hidden and
/// shown the first time they are needed: GTK computes no style for a hidden
/// widget, and so loads no icon for it (it preloads an image's icon once
/// its style is known), and the first frame styles only the page it shows.
/// Loading the chat page's and the error page's 128 px SVG icons brought in
/// librsvg (about 7 MiB) at every start. The loading page's `spinner` stops
/// once another page shows.
pub fn show_page(stack: &gtk::Stack, spinner: &gtk::Spinner, name: &str) {
    if let Some(page) = stack.child_by_name(name) {
        page.set_visible(true);
    }
    stack.set_visible_child_name(name);
    // A spinning spinner redraws the window at every frame even on a page
    // the stack does not show, and the window's cost grows with the
    // conversation: a long one kept the CPU busy (issue 18, bug 0).
    if name != "loading" {
        spinner.set_spinning(false);
    }
}

/// How long the engine may take to open before the loading page's spinner
/// turns: most starts take a fraction of it, and a spinner shown only for
/// that long flickers (and its SVG icon loads librsvg).
const SPINNER_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// Turns the loading page's spinner once [`SPINNER_DELAY`] has passed
/// (`WindowCommand::LoadingSlow`), if the window still shows that page.
pub fn spin_if_slow(sender: &ComponentSender<Window>) {
    sender.oneshot_command(async {
        tokio::time::sleep(SPINNER_DELAY).await;
        WindowCommand::LoadingSlow
    });
}

/// OAuth for servers that answer `401`: sign-in in the default browser
/// with a loopback redirect, the "Sign In to …" dialog while it waits, and
/// tokens kept in the keyring.
fn oauth_settings(
    keys: &Arc<dyn KeyStore>,
    questions: relm4::Sender<QuestionsInput>,
) -> OAuthSettings {
    let open_url: OpenUrl = Arc::new(|url: &str| {
        let url = url.to_owned();
        gtk::glib::MainContext::default().invoke(move || {
            let launched = gtk::gio::AppInfo::launch_default_for_uri(
                &url,
                None::<&gtk::gio::AppLaunchContext>,
            );
            if let Err(e) = launched {
                tracing::warn!("cannot open the web browser for a sign-in: {e}");
            }
        });
        Ok(())
    });
    let observer: SignInObserver =
        Arc::new(move |event| questions.emit(QuestionsInput::SignIn(event)));
    OAuthSettings {
        redirect_uri: "http://127.0.0.1:0/callback".to_owned(),
        client_name: "ValeChat".to_owned(),
        client_metadata_url: None,
        client_id: None,
        client_secret: None,
        authorizer: Arc::new(LoopbackAuthorizer::new(open_url).with_observer(observer)),
        max_authorizations: 3,
        keys: Some(keys.clone()),
    }
}

/// A registry with every configured server started (enabled ones connect in
/// the background; an unreadable server table only logs). A server's
/// protocol era, once learned, goes to the window (`window`), which stores
/// it so the next start skips discovery.
async fn start_servers(
    store: &Store,
    keys: &Arc<dyn KeyStore>,
    hooks: ClientHooks,
    window: relm4::Sender<WindowInput>,
) -> McpServers {
    // Servers a ValeChat that is gone left behind die before ours start.
    valechat_core::mcp::process::owners::sweep_once();
    let era_store = store.clone();
    let era_sink: valechat_core::mcp::registry::EraSink = Arc::new(move |id, era| {
        window.emit(WindowInput::EraLearned(Box::new(LearnedEra {
            store: era_store.clone(),
            server_id: id.to_owned(),
            era: era.clone(),
        })));
    });
    let servers = McpServers::new(keys.clone(), hooks, Some(era_sink));
    if let Err(e) = valechat_core::mcp::config::secure_stored_servers(store, keys.as_ref()).await {
        tracing::warn!("cannot move secrets of stored MCP servers to the keyring: {e}");
    }
    match store.list_mcp_servers().await {
        Ok(configs) => servers.start_all(configs).await,
        Err(e) => tracing::warn!("cannot read the MCP servers: {e}"),
    }
    servers
}

/// Stores the protocol era a server spoke, in a command (a failure is
/// only logged).
pub fn remember_era(learned: LearnedEra, sender: &ComponentSender<Window>) {
    let LearnedEra {
        store,
        server_id,
        era,
    } = learned;
    sender.oneshot_command(async move {
        if let Err(e) = store.set_mcp_server_era(&server_id, Some(&era)).await {
            tracing::warn!(server = %server_id, "cannot store the server's protocol era: {e}");
        }
        WindowCommand::Done
    });
}

/// Registers the `win.*` actions and their keyboard shortcuts.
pub fn install_actions(root: &adw::ApplicationWindow, sender: &ComponentSender<Window>) {
    let mut group = relm4::actions::RelmActionGroup::<WindowActions>::new();
    let s = sender.clone();
    group.add_action(
        relm4::actions::RelmAction::<NewConversationAction>::new_stateless(move |_| {
            s.input(WindowInput::NewConversation);
        }),
    );
    let s = sender.clone();
    group.add_action(relm4::actions::RelmAction::<
        super::messages::NewConversationFromAction,
    >::new_with_target_value(move |_, id| {
        s.input(WindowInput::NewConversationFrom(id))
    }));
    let s = sender.clone();
    group.add_action(
        relm4::actions::RelmAction::<AddProviderAction>::new_stateless(move |_| {
            s.input(WindowInput::ShowAddProvider);
        }),
    );
    let s = sender.clone();
    group.add_action(
        relm4::actions::RelmAction::<PreferencesAction>::new_stateless(move |_| {
            s.input(WindowInput::ShowPreferences);
        }),
    );
    let s = sender.clone();
    group.add_action(relm4::actions::RelmAction::<BillingAction>::new_stateless(
        move |_| {
            s.input(WindowInput::ShowBilling);
        },
    ));
    let s = sender.clone();
    group.add_action(
        relm4::actions::RelmAction::<ShowServersAction>::new_stateless(move |_| {
            s.input(WindowInput::ShowServers);
        }),
    );
    let s = sender.clone();
    group.add_action(relm4::actions::RelmAction::<AboutAction>::new_stateless(
        move |_| {
            s.input(WindowInput::ShowAbout);
        },
    ));
    let s = sender.clone();
    group.add_action(relm4::actions::RelmAction::<StopAction>::new_stateless(
        move |_| {
            s.input(WindowInput::Stop);
        },
    ));
    let s = sender.clone();
    group.add_action(
        relm4::actions::RelmAction::<ModelPickerAction>::new_stateless(move |_| {
            s.input(WindowInput::ShowModelPicker);
        }),
    );
    let s = sender.clone();
    group.add_action(relm4::actions::RelmAction::<QuitAction>::new_stateless(
        move |_| {
            s.input(WindowInput::Quit);
        },
    ));
    let s = sender.clone();
    group.add_action(relm4::actions::RelmAction::<SearchAction>::new_stateless(
        move |_| {
            s.input(WindowInput::FocusSearch);
        },
    ));
    let s = sender.clone();
    group.add_action(
        relm4::actions::RelmAction::<PreviousConversationAction>::new_stateless(move |_| {
            s.input(WindowInput::MoveSelection(-1));
        }),
    );
    let s = sender.clone();
    group.add_action(
        relm4::actions::RelmAction::<NextConversationAction>::new_stateless(move |_| {
            s.input(WindowInput::MoveSelection(1));
        }),
    );
    let s = sender.clone();
    group.add_action(
        relm4::actions::RelmAction::<ExportAllAction>::new_stateless(move |_| {
            s.input(WindowInput::Export(crate::ui::transfer::export::Scope::All));
        }),
    );
    let s = sender.clone();
    group.add_action(relm4::actions::RelmAction::<ImportAction>::new_stateless(
        move |_| {
            s.input(WindowInput::AskImport);
        },
    ));
    let s = sender.clone();
    group.add_action(
        relm4::actions::RelmAction::<ShortcutsAction>::new_stateless(move |_| {
            s.input(WindowInput::ShowShortcuts);
        }),
    );
    group.register_for_widget(root);
    if let Some(app) = relm4::main_application().downcast_ref::<gtk::Application>() {
        app.set_accels_for_action("win.new-conversation", &["<Control>n"]);
        app.set_accels_for_action("win.model-picker", &["<Control>k"]);
        app.set_accels_for_action("win.quit", &["<Control>q"]);
        app.set_accels_for_action("win.preferences", &["<Control>comma"]);
        app.set_accels_for_action("win.show-billing", &["<Control><Shift>b"]);
        // `app.show-billing`: the default action of spending notifications
        // (ui/notify.rs), which act on the application, not a window.
        let show_billing = gtk::gio::SimpleAction::new("show-billing", None);
        let s = sender.clone();
        show_billing.connect_activate(move |_, _| s.input(WindowInput::ShowBilling));
        app.add_action(&show_billing);
        app.set_accels_for_action("window.close", &["<Control>w"]);
        app.set_accels_for_action("win.search", &["<Control>f"]);
        app.set_accels_for_action("win.previous-conversation", &["<Control>Page_Up"]);
        app.set_accels_for_action("win.next-conversation", &["<Control>Page_Down"]);
        app.set_accels_for_action("win.show-help-overlay", &["<Control>question"]);
    }
    // Escape stops a reply wherever the focus is, after popovers, dialogs and
    // the search field have had their turn at it (bubble phase).
    let keys = gtk::EventControllerKey::new();
    keys.set_propagation_phase(gtk::PropagationPhase::Bubble);
    let s = sender.clone();
    keys.connect_key_pressed(move |_, key, _, _| {
        if key == gtk::gdk::Key::Escape {
            s.input(WindowInput::Stop);
        }
        gtk::glib::Propagation::Proceed
    });
    root.add_controller(keys);
}

/// Quits cleanly on SIGTERM or SIGINT (logout, `kill`, Ctrl+C in a terminal):
/// a reply in flight is stopped and its text kept as incomplete.
pub fn quit_on_signals(sender: &ComponentSender<Window>) {
    sender.command(|out, shutdown| {
        shutdown
            .register(async move {
                #[cfg(unix)]
                {
                    use tokio::signal::unix::{SignalKind, signal};
                    let Ok(mut term) = signal(SignalKind::terminate()) else {
                        return;
                    };
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = tokio::signal::ctrl_c() => {}
                    }
                }
                #[cfg(not(unix))]
                if tokio::signal::ctrl_c().await.is_err() {
                    return;
                }
                out.emit(WindowCommand::Quit);
            })
            .drop_on_shutdown()
    });
}
