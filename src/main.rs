fn main() {
    valechat::run();
}
