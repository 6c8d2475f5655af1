#!/usr/bin/python3
"""A minimal freedesktop notification server for tests.

Owns org.freedesktop.Notifications on the session bus at $DBUS_SESSION_BUS_ADDRESS
(or the address given as the second argument), answers Notify,
GetCapabilities, GetServerInformation and CloseNotification, and appends
every Notify call to LOG (first argument) as one JSON object per line:
{"app_name", "replaces_id", "app_icon", "summary", "body", "actions",
"urgency", "id"}. Prints "ready" on stdout once the name is owned.

Usage: tests/cli/notify_server.py LOG [BUS_ADDRESS]
"""

import json
import os
import sys

from gi.repository import Gio, GLib

INTERFACE = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
  </interface>
</node>
"""


def main():
    log_path = sys.argv[1]
    address = sys.argv[2] if len(sys.argv) > 2 else os.environ["DBUS_SESSION_BUS_ADDRESS"]
    connection = Gio.DBusConnection.new_for_address_sync(
        address,
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None,
        None,
    )
    next_id = [0]

    def on_call(_conn, _sender, _path, _iface, method, params, invocation):
        if method == "Notify":
            app_name, replaces_id, icon, summary, body, actions, hints, _timeout = params.unpack()
            next_id[0] += 1
            record = {
                "app_name": app_name,
                "replaces_id": replaces_id,
                "app_icon": icon,
                "summary": summary,
                "body": body,
                "actions": actions,
                "urgency": hints.get("urgency"),
                "id": next_id[0],
            }
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
            invocation.return_value(GLib.Variant("(u)", (next_id[0],)))
        elif method == "GetCapabilities":
            invocation.return_value(GLib.Variant("(as)", (["body", "actions"],)))
        elif method == "GetServerInformation":
            invocation.return_value(GLib.Variant("(ssss)", ("valechat-test", "ValeChat", "1", "1.2")))
        else:
            invocation.return_value(None)

    info = Gio.DBusNodeInfo.new_for_xml(INTERFACE).interfaces[0]
    connection.register_object("/org/freedesktop/Notifications", info, on_call, None, None)
    loop = GLib.MainLoop()

    def acquired(*_):
        print("ready", flush=True)

    def lost(*_):
        print("could not own org.freedesktop.Notifications", file=sys.stderr, flush=True)
        loop.quit()

    Gio.bus_own_name_on_connection(connection, "org.freedesktop.Notifications", Gio.BusNameOwnerFlags.NONE, acquired, lost)
    loop.run()


if __name__ == "__main__":
    main()
