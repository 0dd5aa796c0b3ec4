package dev.latch.client.mail;

import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Date;
import java.util.List;

/** Turns a {@link MailMessage} into a MIME message (RFC 5322 / RFC 2045–2049) for SMTP. */
final class MimeMessages {

    private MimeMessages() {}

    /**
     * Text only or HTML only: a single part. Both: {@code multipart/alternative}, text first (RFC 2046
     * §5.1.4: the last part is the preferred one). Attachments: {@code multipart/mixed} with the body first.
     */
    static MimeMessage toMime(Session session, MailMessage m, Clock clock) throws MessagingException {
        MimeMessage mime = new MimeMessage(session);
        mime.setFrom(m.from().toInternetAddress());
        mime.setRecipients(Message.RecipientType.TO, addresses(m.to()));
        mime.setRecipients(Message.RecipientType.CC, addresses(m.cc()));
        mime.setRecipients(Message.RecipientType.BCC, addresses(m.bcc()));
        mime.setSubject(m.subject(), "UTF-8");
        mime.setSentDate(Date.from(clock.instant()));
        if (m.attachments().isEmpty()) {
            setBody(mime, m);
        } else {
            MimeMultipart mixed = new MimeMultipart("mixed");
            MimeBodyPart body = new MimeBodyPart();
            setBody(body, m);
            mixed.addBodyPart(body);
            for (MailAttachment a : m.attachments()) {
                mixed.addBodyPart(attachmentPart(a));
            }
            mime.setContent(mixed);
        }
        mime.saveChanges();
        return mime;
    }

    private static InternetAddress[] addresses(List<MailAddress> list) {
        return list.isEmpty() ? null : list.stream().map(MailAddress::toInternetAddress).toArray(InternetAddress[]::new);
    }

    private static void setBody(Part part, MailMessage m) throws MessagingException {
        if (m.text() != null && m.html() != null) {
            MimeMultipart alternative = new MimeMultipart("alternative");
            MimeBodyPart text = new MimeBodyPart();
            text.setText(m.text(), "UTF-8", "plain");
            alternative.addBodyPart(text);
            MimeBodyPart html = new MimeBodyPart();
            html.setText(m.html(), "UTF-8", "html");
            alternative.addBodyPart(html);
            part.setContent(alternative);
        } else if (m.html() != null) {
            setText(part, m.html(), "html");
        } else {
            setText(part, m.text(), "plain");
        }
    }

    private static void setText(Part part, String text, String subtype) throws MessagingException {
        if (part instanceof MimeMessage mime) {
            mime.setText(text, "UTF-8", subtype);
        } else {
            ((MimeBodyPart) part).setText(text, "UTF-8", subtype);
        }
    }

    private static MimeBodyPart attachmentPart(MailAttachment a) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new AttachmentSource(a)));
        part.setDisposition(Part.ATTACHMENT);
        part.setFileName(a.name());
        // base64 whatever the type: a text/* attachment would otherwise be sent as 7bit/quoted-printable with
        // its line breaks rewritten to CRLF, and the recipient would not get the file's exact bytes
        part.setHeader("Content-Transfer-Encoding", "base64");
        return part;
    }

    /** The attachment's bytes with its declared media type; a file is read only while the message is written. */
    private record AttachmentSource(MailAttachment attachment) implements DataSource {
        @Override public InputStream getInputStream() throws java.io.IOException {
            try {
                return attachment.open();
            } catch (MailAttachmentException e) {
                throw new java.io.IOException(e.getMessage(), e); // Jakarta Mail expects an IOException; the sender unwraps it
            }
        }
        @Override public OutputStream getOutputStream() { throw new UnsupportedOperationException(); }
        @Override public String getContentType() { return attachment.contentType(); }
        @Override public String getName() { return attachment.name(); }
    }
}
