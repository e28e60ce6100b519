-- Database copies must not talk to the live store nor accept its webhooks.
UPDATE bigcommerce_backend
   SET access_token_encrypted = NULL,
       client_secret_encrypted = NULL;
