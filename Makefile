# Conveniences for developers; the README's Quick start uses ./build.sh directly.
.PHONY: build demo test install clean
build:
	./build.sh build
demo:
	./build.sh demo
test:
	./build.sh test
install: build
	cmake --install build
clean:
	rm -rf build
