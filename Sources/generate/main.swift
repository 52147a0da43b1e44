// The generate CGI program: all of it lives in OTPCore.
import OTPCore

Endpoint.generate.runCGI()
