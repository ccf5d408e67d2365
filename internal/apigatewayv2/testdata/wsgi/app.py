"""A Flask app behind an HTTP API, through wsgi_adapter."""
from flask import Flask, jsonify, redirect, request, make_response, url_for

import wsgi_adapter

app = Flask(__name__)


@app.get("/hello")
def hello():
    return jsonify(name=request.args.get("name"), tags=request.args.getlist("tag"),
                   session=request.cookies.get("session"), theme=request.cookies.get("theme"))


@app.post("/login")
def login():
    resp = make_response(jsonify(ok=True))
    resp.set_cookie("session", "s3cr3t", httponly=True)
    resp.set_cookie("theme", "dark")
    return resp


@app.post("/reverse")
def reverse():
    data = request.get_data()
    resp = make_response(data[::-1])
    resp.headers["Content-Type"] = "application/octet-stream"
    return resp


@app.get("/old")
def old():
    return redirect(url_for("hello", name="moved"), code=301)


handler = wsgi_adapter.handler_for(app)
