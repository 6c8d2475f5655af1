//! The authorization steps of one connection: restoring and refreshing
//! stored tokens, the whole authorization code flow, and step-up.

use rmcp::transport::auth::{
    AuthError, AuthorizationCallback, AuthorizationManager, AuthorizationRequest, OAuthState,
};

use super::keyring::KeyringCredentialStore;
use super::{AuthState, Consent, Shared};

impl Shared {
    /// A manager for the resource, saving to the keyring when configured.
    async fn manager(&self) -> Result<AuthorizationManager, AuthError> {
        let mut manager = AuthorizationManager::new(self.resource.as_str()).await?;
        if let Some(keys) = &self.settings.keys {
            manager
                .set_credential_store(KeyringCredentialStore::new(keys.clone(), &self.server.id));
        }
        Ok(manager)
    }

    /// After a `401`: uses the keyring's token on the first one, then a
    /// refresh once per refused token. Returns whether there is a new token
    /// to try (no browser involved).
    pub(super) async fn renew(&self, state: &mut AuthState) -> bool {
        if !state.restored {
            state.restored = true;
            if self.settings.keys.is_some() {
                match self.restore().await {
                    Ok(Some((manager, token))) => {
                        state.manager = Some(manager);
                        state.token = Some(token);
                        state.may_refresh = true;
                        return true;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(server = %self.server.id, "stored OAuth tokens unusable: {e}");
                    }
                }
            }
        }
        if !std::mem::take(&mut state.may_refresh) {
            return false;
        }
        let Some(manager) = &state.manager else {
            return false;
        };
        let refreshed = match manager.refresh_token().await {
            Ok(_) => manager.get_access_token().await,
            Err(e) => Err(e),
        };
        match refreshed {
            Ok(token) => {
                state.token = Some(token);
                true
            }
            Err(e) => {
                tracing::info!(server = %self.server.id, "OAuth refresh refused: {e}");
                false
            }
        }
    }

    /// The keyring's credentials: the manager and a current access token
    /// (refreshed when expired); `None` when there are none usable.
    async fn restore(&self) -> Result<Option<(AuthorizationManager, String)>, AuthError> {
        let mut manager = self.manager().await?;
        if !manager.initialize_from_store().await? {
            return Ok(None);
        }
        match manager.get_access_token().await {
            Ok(token) => Ok(Some((manager, token))),
            Err(AuthError::AuthorizationRequired) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Lets the user approve `auth_url`, with the handshake clock paused.
    async fn approve(
        &self,
        consent: Box<dyn Consent>,
        auth_url: &str,
    ) -> Result<String, AuthError> {
        self.consenting.send_replace(true);
        let callback = consent.approve(auth_url).await;
        self.consenting.send_replace(false);
        callback.map_err(AuthError::AuthorizationFailed)
    }

    /// The whole authorization for `challenge`; returns the access token.
    pub(super) async fn authorize(
        &self,
        state: &mut AuthState,
        challenge: &str,
    ) -> Result<String, AuthError> {
        let settings = &self.settings;
        let consent = settings
            .authorizer
            .prepare(&self.server, &settings.redirect_uri)
            .await
            .map_err(AuthError::AuthorizationFailed)?;
        let redirect_uri = consent.redirect_uri().to_owned();
        let mut oauth = OAuthState::Unauthorized(self.manager().await?);
        let mut request = AuthorizationRequest::new(redirect_uri.clone())
            .with_client_name(settings.client_name.clone())
            .with_initial_scope_selection()
            .with_challenge(challenge);
        if let Some(url) = &settings.client_metadata_url {
            request = request.with_client_metadata_url(url.clone());
        }
        if let Some(id) = &settings.client_id {
            request = request.with_preregistered_client(id.clone());
            if let Some(secret) = &settings.client_secret {
                request = request.with_client_secret(secret.clone());
            }
        }
        oauth.start_authorization(request).await?;
        let auth_url = oauth.get_authorization_url().await?;
        let callback = self.approve(consent, &auth_url).await?;
        oauth.handle_callback_url(&callback).await?;
        let manager = oauth.into_authorization_manager().ok_or_else(|| {
            AuthError::InternalError("no authorized manager after the callback".into())
        })?;
        let token = manager.get_access_token().await?;
        state.manager = Some(manager);
        state.redirect_uri = Some(redirect_uri);
        state.may_refresh = false;
        Ok(token)
    }

    /// Step-up to the granted scopes plus `scope`; returns the new token.
    pub(super) async fn step_up(
        &self,
        state: &mut AuthState,
        scope: &str,
    ) -> Result<String, AuthError> {
        let (Some(manager), Some(registered)) = (&state.manager, &state.redirect_uri) else {
            return Err(AuthError::InternalError(
                "step-up before authorization".into(),
            ));
        };
        let consent = self
            .settings
            .authorizer
            .prepare(&self.server, registered)
            .await
            .map_err(AuthError::AuthorizationFailed)?;
        if consent.redirect_uri() != registered {
            return Err(AuthError::AuthorizationFailed(format!(
                "the registered redirect URI {registered} is not available any more"
            )));
        }
        let auth_url = manager.request_scope_upgrade(scope).await?;
        let callback = self.approve(consent, &auth_url).await?;
        let callback = AuthorizationCallback::from_redirect_url(&callback)?;
        manager
            .exchange_code_for_token_with_issuer(
                &callback.code,
                &callback.csrf_token,
                callback.issuer.as_deref(),
            )
            .await?;
        manager.get_access_token().await
    }
}
