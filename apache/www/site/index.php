<?php
// make serve's "site": a page of some other application on the same host that asks otp-cgi to prove an email
// address or phone number, then receives the token and checks it with docs/token.md's snippet, examples/check-token.php.
require __DIR__ . '/../../../examples/check-token.php';

$h = fn($text) => htmlspecialchars((string)$text, ENT_QUOTES);
// The service follows this `next` only when OTP_NEXT_ALLOWED lists it, whatever the Host header said.
$here = 'http://' . ($_SERVER['HTTP_HOST'] ?? '127.0.0.1') . '/site/';
// The token is bound to this browser: a random value in the site's own cookie goes out as the form's `state`, comes
// back as the token's `state` claim, and must equal the cookie (docs/token.md, "Binding the token to the browser").
if (!preg_match('/^[0-9a-f]{32}$/', $_COOKIE['otp_state'] ?? '')) {
    $_COOKIE['otp_state'] = bin2hex(random_bytes(16));
    setcookie('otp_state', $_COOKIE['otp_state'], ['path' => '/site/', 'httponly' => true, 'samesite' => 'Lax']);
}
$claims = null;
if (isset($_POST['otp_token'])) {
    $claims = otp_token_claims($_POST['otp_token'], (string)getenv('OTP_TOKEN_SECRET'), (string)getenv('OTP_SITE_SEEN_DIR'),
                               getenv('OTP_TOKEN_ISSUER') ?: 'otp-cgi', getenv('OTP_TOKEN_AUDIENCE') ?: null, $_COOKIE['otp_state']);
    if ($claims === null) http_response_code(403);
}
$css = <<<'CSS'
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #eef6f0; color: #1f2328; }
main { max-width: 26rem; margin: 3rem auto; padding: 1.5rem 2rem; background: #fff; border-radius: 8px; }
label { display: block; margin-top: .75rem; }
input, select, button { font: inherit; width: 100%; box-sizing: border-box; padding: .45rem; margin-top: .2rem; }
button { margin-top: 1.25rem; background: #17703a; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
th { text-align: left; padding-right: 1rem; } .ok { color: #17703a; } .error { color: #b3261e; }
CSS;
header('Cache-Control: no-store');
// Its one stylesheet is allowed by its hash, so no injected style could apply.
header("Content-Security-Policy: default-src 'none'; style-src 'sha256-" . base64_encode(hash('sha256', $css, true))
       . "'; form-action 'self'; base-uri 'none'");
?>
<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?= isset($_POST['otp_token']) ? ($claims ? 'Site: verified' : 'Site: not verified') : 'Site: sign in' ?></title>
<style><?= $css ?></style>
<main>
<h1>Example site</h1>
<?php if ($claims): ?>
<p class="ok" id="outcome">Verified: <strong id="subject"><?= $h($claims['sub']) ?></strong></p>
<p>This page checked the token's signature, algorithm, expiry, issuer and audience, and that its jti is new.</p>
<table id="claims">
<?php foreach ($claims as $name => $value): ?>
<tr><th><?= $h($name) ?></th><td><?= $h(in_array($name, ['iat', 'exp'], true) ? gmdate('Y-m-d H:i:s \U\T\C', $value) : $value) ?></td></tr>
<?php endforeach ?>
</table>
<?php elseif (isset($_POST['otp_token'])): ?>
<p class="error" id="outcome">Not verified: the token is forged, expired, for another site or browser, or used already.</p>
<?php else: ?>
<p>Prove you own an email address or phone number; otp-cgi sends you back here with a signed token.</p>
<form method="post" action="/api/otp/generate" id="send">
<input type="hidden" name="next" value="<?= $h($here) ?>">
<input type="hidden" name="state" value="<?= $h($_COOKIE['otp_state']) ?>">
<label>Channel <select name="channel"><option value="email">Email</option><option value="sms">SMS</option><option value="whatsapp">WhatsApp</option></select></label>
<label>Email or phone <input name="identifier" placeholder="you@example.com or +14155552671" required></label>
<button>Send code</button>
</form>
<?php endif ?>
</main>
</html>
