fn main() { valechat::run(); }
