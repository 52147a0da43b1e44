// The verify program (CGI, or a FastCGI responder): all of it lives in OTPCore.
import OTPCore

Endpoint.verify.run()
