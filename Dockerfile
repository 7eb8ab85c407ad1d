# The web app with a production WSGI server (waitress, via `grader serve`),
# tesseract and its Indonesian data. Same runtime requirements (requirements.txt, not the test-only -dev ones)
# and entry point as `make run`, without its --demo-class.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-ind \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt requirements-build.txt ./
RUN pip install --no-cache-dir -r requirements-build.txt -r requirements.txt
COPY . .
# Editable install keeps templates/ and the model beside the package, as in a checkout.
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e . \
 && useradd --create-home grader && mkdir -p /data && chown grader /data

USER grader
ENV GRADER_DATA_DIR=/data
VOLUME /data
EXPOSE 8000
CMD ["grader", "serve", "--host", "0.0.0.0", "--port", "8000", "--demo"]
