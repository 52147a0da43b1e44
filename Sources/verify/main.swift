// The verify CGI program: all of it lives in OTPCore.
import OTPCore

Endpoint.verify.runCGI()
