# Homebrew formula: this repository doubles as a tap.
#   brew tap valechat/valechat https://github.com/valechat/valechat
#   brew install --HEAD valechat/valechat/valechat
# Builds with meson (which drives cargo) against Homebrew's GTK 4,
# libadwaita and GtkSourceView 5. On macOS API keys go to the Keychain
# (security-framework). A stable `url`/`sha256` pair is added with the
# first tagged release; until then the formula builds the main branch.
class Valechat < Formula
  desc "Native GNOME chat app for many AI models, with MCP tools and spending limits"
  homepage "https://github.com/valechat/valechat"
  license "GPL-3.0-or-later"
  head "https://github.com/valechat/valechat.git", branch: "main"

  # llama.cpp (models on this computer) is compiled from source with cmake;
  # bindgen uses the libclang of Xcode's command line tools on macOS, of
  # Homebrew's llvm on Linux.
  depends_on "cmake" => :build
  depends_on "meson" => :build
  depends_on "ninja" => :build
  depends_on "pkgconf" => :build
  depends_on "rust" => :build
  depends_on "adwaita-icon-theme"
  depends_on "gettext"
  depends_on "glib"
  depends_on "gtk4"
  depends_on "gtksourceview5"
  depends_on "libadwaita"

  on_linux do
    depends_on "llvm" => :build
  end

  def install
    # Keep cargo's downloads and build inside the build sandbox.
    ENV["CARGO_HOME"] = buildpath/".cargo"
    system "meson", "setup", "build", "-Dprofile=default", *std_meson_args
    system "meson", "compile", "-C", "build", "--verbose"
    system "meson", "install", "-C", "build"
  end

  def post_install
    system Formula["glib"].opt_bin/"glib-compile-schemas", HOMEBREW_PREFIX/"share/glib-2.0/schemas"
    system Formula["gtk4"].opt_bin/"gtk4-update-icon-cache", "-qtf", HOMEBREW_PREFIX/"share/icons/hicolor"
  end

  test do
    assert_match "valechat", shell_output("#{bin}/valechat --version")
  end
end
