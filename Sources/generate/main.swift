// The generate program (CGI, or a FastCGI responder): all of it lives in the App module and below.
import App

Program.run(.generate)
